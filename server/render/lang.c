/* lang — the languages of the citizen pages, as data (see lang.h). */
#include "lang.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "prerender.h"

int lang_code_ok(const char *code)
{
    if (!code)
        return 0;
    size_t n = strlen(code);
    if (n < 2 || n >= LANG_CODE_MAX || code[0] == '-' || code[n - 1] == '-')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((code[i] >= 'a' && code[i] <= 'z') || code[i] == '-'))
            return 0;
    return 1;
}

static json_t *lang_load_file(const char *path, char *err, size_t errlen)
{
    json_error_t je;
    /* a key twice is a mistake someone made while editing: the second would silently win */
    json_t *s = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!s) {
        snprintf(err, errlen, "%s:%d: %s", path, je.line, je.text);
        return NULL;
    }
    return s;
}

void lang_list_free(struct lang_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        json_decref(l->items[i].strings);
    memset(l, 0, sizeof *l);
}

int lang_list_load(struct lang_list *l, const char *dir, char *err, size_t errlen)
{
    char path[4096];
    json_t *list = NULL, *da = NULL;
    int rc = -1;
    memset(l, 0, sizeof *l);
    snprintf(path, sizeof path, "%s/lang/languages.json", dir);
    list = lang_load_file(path, err, errlen);
    if (!list)
        goto out;
    if (!json_is_array(list) || json_array_size(list) > LANG_MAX) {
        snprintf(err, errlen, "%s: not a list of at most %d languages", path, LANG_MAX);
        goto out;
    }
    snprintf(path, sizeof path, "%s/lang/da.json", dir);
    da = lang_load_file(path, err, errlen);
    if (!da)
        goto out;
    if (!json_is_object(da)) {
        snprintf(err, errlen, "%s: not an object", path);
        goto out;
    }
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item) {
        const char *code = json_string_value(json_object_get(item, "code"));
        const char *name = json_string_value(json_object_get(item, "name"));
        const char *d = json_string_value(json_object_get(item, "dir"));
        if (!code || !name || !lang_code_ok(code) || !*name || strlen(name) >= 64 ||
            (d && strcmp(d, "ltr") != 0 && strcmp(d, "rtl") != 0) || lang_find(l, code)) {
            snprintf(err, errlen, "lang/languages.json: language %zu: needs a new code "
                     "(lowercase letters, '-'), a name and dir ltr or rtl", i + 1);
            goto out;
        }
        struct lang_info *li = &l->items[l->n];
        snprintf(li->code, sizeof li->code, "%s", code);
        snprintf(li->name, sizeof li->name, "%s", name);
        li->rtl = d && strcmp(d, "rtl") == 0;
        li->example = json_is_true(json_object_get(item, "example"));
        li->base = strcmp(code, "en") == 0 ? LANG_EN : LANG_DA;
        /* the Danish strings' values are shared, not copied: a language's object holds
         * its keys, and only its own texts are new (strings are never changed after load) */
        li->strings = strcmp(code, "da") == 0 ? json_incref(da) : json_copy(da);
        l->n++;
        if (strcmp(code, "da") != 0) {
            snprintf(path, sizeof path, "%s/lang/%s.json", dir, code);
            json_t *own = lang_load_file(path, err, errlen);
            if (!own)
                goto out;
            if (!json_is_object(own)) {
                json_decref(own);
                snprintf(err, errlen, "%s: not an object", path);
                goto out;
            }
            json_object_update(li->strings, own); /* its own strings over the Danish */
            json_decref(own);
        }
    }
    if (!lang_find(l, "da") || !lang_find(l, "en")) {
        snprintf(err, errlen, "lang/languages.json: da and en must be listed");
        goto out;
    }
    rc = 0;
out:
    if (rc)
        lang_list_free(l);
    json_decref(list);
    json_decref(da);
    return rc;
}

const struct lang_info *lang_find(const struct lang_list *l, const char *code)
{
    if (!code)
        return NULL;
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i].code, code) == 0)
            return &l->items[i];
    return NULL;
}

const char *lang_name_for(const struct lang_list *l, const json_t *strings, const char *code)
{
    if (!code)
        return "";
    char key[16 + LANG_CODE_MAX];
    snprintf(key, sizeof key, "lang_name_%s", code);
    const char *s = json_string_value(json_object_get(strings, key));
    if (s && *s)
        return s;
    const struct lang_info *li = l ? lang_find(l, code) : NULL;
    return li ? li->name : code;
}

/* The language of one Accept-Language range (len bytes, no q): exact (case-insensitive),
 * else its primary subtag. */
static const struct lang_info *lang_match(const struct lang_list *l, const char *tag, size_t len)
{
    for (size_t i = 0; i < l->n; i++) {
        const char *code = l->items[i].code;
        if (strlen(code) == len && strncasecmp(code, tag, len) == 0)
            return &l->items[i];
    }
    size_t primary = 0;
    while (primary < len && tag[primary] != '-')
        primary++;
    for (size_t i = 0; i < l->n; i++) {
        const char *code = l->items[i].code;
        if (strlen(code) == primary && strncasecmp(code, tag, primary) == 0)
            return &l->items[i];
    }
    return NULL;
}

const struct lang_info *lang_from_accept(const struct lang_list *l, const char *header)
{
    const struct lang_info *best = NULL;
    double best_q = 0.0;
    const char *p = header;
    if (!p)
        return NULL;
    while (*p) {
        while (*p == ' ' || *p == ',' || *p == '\t')
            p++;
        const char *tag = p;
        while (*p && *p != ';' && *p != ',' && *p != ' ')
            p++;
        size_t len = (size_t)(p - tag);
        double q = 1.0;
        while (*p && *p != ',') {
            if (*p == ';') {
                p++;
                while (*p == ' ')
                    p++;
                if ((p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
                    char *end;
                    q = strtod(p + 2, &end);
                    if (end == p + 2 || q < 0.0 || q > 1.0)
                        q = 0.0;
                    p = end;
                    continue;
                }
            }
            if (*p)
                p++;
        }
        if (len && len < 40 && q > best_q) {
            const struct lang_info *m = lang_match(l, tag, len);
            if (m) {
                best = m;
                best_q = q;
            }
        }
    }
    return best;
}

static int lang_in(const json_t *codes, const char *code)
{
    size_t i;
    json_t *c;
    json_array_foreach(codes, i, c) {
        if (json_is_string(c) && strcmp(json_string_value(c), code) == 0)
            return 1;
    }
    return 0;
}

int lang_list_bind(const struct lang_list *l, tmpl_set *set)
{
    if (!prerender_enabled())
        return 0;
    for (size_t i = 0; i < l->n; i++)
        if (tmpl_set_bind(set, "t", l->items[i].strings))
            return -1;
    return 0;
}

json_t *lang_list_json(const struct lang_list *l, const char *current, const json_t *only)
{
    json_t *out = json_array();
    for (size_t i = 0; i < l->n; i++) {
        const struct lang_info *li = &l->items[i];
        int is_current = current && strcmp(current, li->code) == 0;
        if (only && !is_current && !lang_in(only, li->code))
            continue;
        json_t *item = json_object();
        json_object_set_new_nocheck(item, "code", json_string_nocheck(li->code));
        json_object_set_new_nocheck(item, "name", json_string_nocheck(li->name));
        json_object_set_new_nocheck(item, "dir", json_string_nocheck(li->rtl ? "rtl" : "ltr"));
        json_object_set_new_nocheck(item, "current", json_boolean(is_current));
        json_array_append_new(out, item);
    }
    return out;
}

enum lang_plural lang_plural_of(const char *code, unsigned long long n)
{
    unsigned long long n10 = n % 10, n100 = n % 100;
    if (code && strcmp(code, "ar") == 0) {
        if (n == 0)
            return LANG_PLURAL_ZERO;
        if (n == 1)
            return LANG_PLURAL_ONE;
        if (n == 2)
            return LANG_PLURAL_TWO;
        if (n100 >= 3 && n100 <= 10)
            return LANG_PLURAL_FEW;
        if (n100 >= 11)
            return LANG_PLURAL_MANY;
        return LANG_PLURAL_OTHER;
    }
    if (code && strcmp(code, "uk") == 0) {
        if (n10 == 1 && n100 != 11)
            return LANG_PLURAL_ONE;
        if (n10 >= 2 && n10 <= 4 && !(n100 >= 12 && n100 <= 14))
            return LANG_PLURAL_FEW;
        return LANG_PLURAL_MANY;
    }
    return n == 1 ? LANG_PLURAL_ONE : LANG_PLURAL_OTHER;
}

const char *lang_plural_name(enum lang_plural p)
{
    static const char *const names[] = {"zero", "one", "two", "few", "many", "other"};
    return (unsigned)p < sizeof names / sizeof names[0] ? names[p] : "other";
}

/* n in decimal into num (at least 21 bytes), NUL-terminated; its length.  (Every citizen
 * page counts a few things: snprintf cost more than the rest of the phrase together.) */
static size_t lang_decimal(unsigned long long n, char *num)
{
    char rev[20];
    size_t len = 0;
    do {
        rev[len++] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    for (size_t i = 0; i < len; i++)
        num[i] = rev[len - 1 - i];
    num[len] = '\0';
    return len;
}

/* The text of lang_count's phrase for n (the category's form, else "_other", else the
 * plain key), or NULL. */
static const char *lang_count_text(const json_t *strings, const char *code, const char *key,
                                   unsigned long long n)
{
    char name[128];
    size_t k = strlen(key);
    const char *text = NULL;
    if (k + sizeof "_other" <= sizeof name) { /* every category's name fits where "other" does */
        const char *cat = lang_plural_name(lang_plural_of(code, n));
        memcpy(name, key, k);
        name[k] = '_';
        memcpy(name + k + 1, cat, strlen(cat) + 1);
        text = json_string_value(json_object_get(strings, name));
        if (!text) {
            memcpy(name + k + 1, "other", sizeof "other");
            text = json_string_value(json_object_get(strings, name));
        }
    }
    return text ? text : json_string_value(json_object_get(strings, key));
}

size_t lang_count(const json_t *strings, const char *code, const char *key,
                  unsigned long long n, char *out, size_t size)
{
    char num[24];
    size_t num_len = lang_decimal(n, num), len = 0;
    int cut = 0;
    const char *text = lang_count_text(strings, code, key, n);
    if (!size)
        return 0;
#define LANG_PUT(p, l)                                                                      \
    do {                                                                                    \
        size_t take_ = (l) < size - 1 - len ? (l) : size - 1 - len;                         \
        cut |= take_ < (l);                                                                 \
        memcpy(out + len, (p), take_);                                                      \
        len += take_;                                                                       \
    } while (0)
    if (!text) {
        LANG_PUT(num, num_len);
    } else {
        const char *at;
        while ((at = strstr(text, "{{n}}"))) {
            LANG_PUT(text, (size_t)(at - text));
            LANG_PUT(num, num_len);
            text = at + 5;
        }
        LANG_PUT(text, strlen(text));
    }
#undef LANG_PUT
    if (cut) { /* a last character cut in two goes whole */
        size_t start = len;
        while (start > 0 && ((unsigned char)out[start - 1] & 0xC0) == 0x80)
            start--;
        if (start > 0) {
            unsigned char lead = (unsigned char)out[start - 1];
            size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
            if (len - (start - 1) < need)
                len = start - 1;
        }
    }
    out[len] = '\0';
    return len;
}
