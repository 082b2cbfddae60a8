/* purge — the retention purge: citizens' personal data leaves the database once the
 * retention period after their last activity has passed.
 *
 * What goes: name, e-mail, the sealed CPR and its look-up hash, sealed meeting notes and
 * sealed links, sessions, the Idempotency-Key answers of their enrolments (with the keyed
 * request hash), the sealed copies of letters not yet sent, and the outbox files of their
 * letters (which hold the CPR).
 * What stays: the anonymous rows (enrolments, answers, deliveries), so that the statistics
 * do not change, and the journal, which never held a name or CPR and still verifies; a
 * "citizen_purged" entry is appended to it as the tombstone.  Freed space is overwritten
 * (secure_delete) and the WAL is checkpointed into the database file and truncated, so
 * the removed data is gone from the files, not only from the tables.
 */
#ifndef VEJLED_PURGE_H
#define VEJLED_PURGE_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* Parses a retention period: "Nd" days, "Nm" months (30 days), "Ny" years (365 days), N
 * from 1; the unit is required.  0 with *days, or -1. */
int purge_parse_period(const char *s, int64_t *days);

/* Purges every citizen whose last activity is more than `days` days before now.
 * outbox_dir (may be "") is where letters' files lie.  *purged gets the count.
 * 0, or -1 when the database failed (citizens purged so far stay purged). */
int purge_run(struct store *st, int64_t days, int64_t now, const char *outbox_dir,
              size_t *purged);

#endif
