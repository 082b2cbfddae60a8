/* lix — see lix.h. */
#include "lix.h"

#include <stddef.h>

/* A byte that starts or continues a word: ASCII letters and digits, and every byte of a
 * multi-byte UTF-8 character (æ, ø, å, é …). */
static int lix_word_byte(unsigned char b)
{
    return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') ||
           b >= 0x80;
}

static int lix_end_mark(unsigned char b)
{
    return b == '.' || b == '!' || b == '?' || b == ':';
}

void lix_count(const char *text, struct lix_counts *out)
{
    out->words = out->long_words = out->sentences = 0;
    if (!text)
        return;
    const unsigned char *p = (const unsigned char *)text;
    unsigned in_sentence = 0; /* words in the sentence so far */
    unsigned letters = 0;     /* letters of the word being read; 0: not in a word */
    for (;; p++) {
        unsigned char b = *p;
        if (lix_word_byte(b)) {
            if ((b & 0xC0) != 0x80) /* a UTF-8 continuation byte is not another letter */
                letters++;
            continue;
        }
        /* a hyphen between two word characters joins them */
        if (b == '-' && letters && lix_word_byte(p[1]))
            continue;
        if (letters) {
            out->words++;
            in_sentence++;
            if (letters > LIX_LONG_LETTERS)
                out->long_words++;
            letters = 0;
        }
        if (b == '\0')
            break;
        if (lix_end_mark(b) && in_sentence &&
            (p[1] == '\0' || p[1] == ' ' || p[1] == '\n' || p[1] == '\r' || p[1] == '\t' ||
             p[1] == '"' || p[1] == ')')) {
            out->sentences++;
            in_sentence = 0;
        } else if (b == '\n' && in_sentence) { /* a line without a mark: a list item */
            out->sentences++;
            in_sentence = 0;
        }
    }
    if (in_sentence)
        out->sentences++;
}

int lix_of(const char *text)
{
    struct lix_counts n;
    lix_count(text, &n);
    if (n.words < LIX_MIN_WORDS || n.sentences == 0)
        return -1;
    double x = (double)n.words / n.sentences + 100.0 * n.long_words / n.words;
    return (int)(x + 0.5);
}
