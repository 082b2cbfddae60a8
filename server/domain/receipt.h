/* receipt — the citizen's receipt reference.
 *
 * A short reference the citizen can read out on the phone or type into the citizen app:
 * "VJ-" and 10 characters of Crockford base32 (no I, L, O, U) in two groups of five, from
 * the SHA-256 of the enrolment's UUID.  It is stable (the same enrolment always has the
 * same one, no storage needed), says nothing about the person, and 50 bits make two
 * enrolments sharing one unlikely even at national scale (about 1 in 2,000 for a
 * million); whoever looks one up compares the enrolment it found.
 */
#ifndef VEJLED_RECEIPT_H
#define VEJLED_RECEIPT_H

#define RECEIPT_REF_LEN 14 /* "VJ-XXXXX-XXXXX" */

/* Writes the reference of the enrolment with that UUID into out (NUL-terminated). */
void receipt_reference(const char *enrolment_uuid, char out[RECEIPT_REF_LEN + 1]);

#endif
