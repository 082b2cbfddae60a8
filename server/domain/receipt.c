/* receipt — the citizen's receipt reference (see receipt.h). */
#include "receipt.h"

#include <sodium.h>
#include <string.h>

void receipt_reference(const char *enrolment_uuid, char out[RECEIPT_REF_LEN + 1])
{
    static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)enrolment_uuid, strlen(enrolment_uuid));
    /* the first 50 bits, five at a time */
    unsigned long long bits = 0;
    for (int i = 0; i < 7; i++)
        bits = bits << 8 | h[i];
    bits >>= 6; /* 56 - 50 */
    char chars[10];
    for (int i = 9; i >= 0; i--) {
        chars[i] = alphabet[bits & 31];
        bits >>= 5;
    }
    memcpy(out, "VJ-", 3);
    memcpy(out + 3, chars, 5);
    out[8] = '-';
    memcpy(out + 9, chars + 5, 5);
    out[14] = '\0';
}
