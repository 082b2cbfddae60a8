/* help — the usage text and every command's help (cli.h). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

const char *const main_usage =
    "usage: vejled COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  serve   [--db PATH] [--listen HOST:PORT] [--config FILE]   run the server\n"
    "  migrate --db PATH                     create or upgrade the schema\n"
    "  demo    --db PATH                     load demo content and citizens\n"
    "  packs load --db PATH --dir DIR        publish (or plan) the guidance packs in DIR/packs/*.json\n"
    "  apikey add --db PATH --name NAME      print a new API key (only its hash is kept)\n"
    "  user add --db PATH --username U --role caseworker|admin [--unit UNIT]\n"
    "                                        create a staff account (password on stdin)\n"
    "  verify  --db PATH                     check the journal's hash chain\n"
    "  backup  --db PATH --to FILE           consistent online copy of the database\n"
    "  copy    --from FILE --to postgresql://…  move an SQLite installation to PostgreSQL\n"
    "  jobs list --db PATH                   scheduled jobs and their state\n"
    "  jobs run --db PATH [--now RFC3339]    one scheduler pass, then exit\n"
    "  jobs retry --db PATH --job N          send a failed letter again\n"
    "  jobs skip --db PATH --job N           give up the journal entry the webhook is stuck on\n"
    "  evidence --db PATH --citizen UUID --out FILE   the citizen's documentation as PDF\n"
    "                                        and a signed evidence bundle (FILE.json)\n"
    "  verify-evidence FILE                  check an evidence bundle without the database\n"
    "  keys show --db PATH                   the public key that signs checkpoints\n"
    "  purge   --db PATH --older-than PERIOD  remove personal data after the retention period\n"
    "  stats   --db PATH [--from DATE --to DATE] [--format json|csv] [--verify]\n"
    "                                        the implementation statistics (aggregates only)\n"
    "\n"
    "Every command also takes --config FILE (the INI file 'serve' reads); its [database]\n"
    "path (or url) stands for --db.  --db and VEJLED_DB win over the file.  --db takes a\n"
    "postgresql:// URL as well as an SQLite file.\n"
    "VEJLED_DB, VEJLED_LISTEN and VEJLED_CONFIG may stand for --db, --listen, --config.\n"
    "'vejled COMMAND --help' tells more about one command.\n";

static const struct {
    const char *command;
    const char *help;
} main_helps[] = {
    {"serve", "usage: vejled serve [--db PATH] [--listen HOST:PORT] [--config FILE]\n"
              "Runs the HTTP server until SIGTERM or SIGINT, then stops cleanly.\n"
              "Applies pending migrations first.  --listen with port 0 picks a free port;\n"
              "the address is printed on stderr as 'vejled: listening on URL'.\n"},
    {"migrate", "usage: vejled migrate --db PATH [--config FILE]\n"
                "Creates the database or applies the migrations it lacks.  Safe to run twice.\n"},
    {"demo", "usage: vejled demo --db PATH [--config FILE]\n"
             "Migrates, loads the demo guidance packs (a new version only where content\n"
             "changed) and the demo citizens, and prints a fresh link for the first demo\n"
             "citizen.  Safe to run twice.\n"},
    {"packs", "usage: vejled packs load --db PATH --dir DIR [--config FILE]\n"
              "Loads the guidance pack files DIR/packs/NAME.json (caption files relative to\n"
              "DIR; the format of db/demo/README.md): adds the target groups they name\n"
              "(switched on as the file says), and publishes a new version of a group's pack\n"
              "only when its content is new to the group, so a version an administrator\n"
              "published stays in force.  Every file is checked first: one that breaks the\n"
              "pack rules, or would put in force content whose last valid day has passed,\n"
              "is refused, naming the file and field, and nothing is stored.  A file whose\n"
              "rules begin on a later day is not put in force early: it becomes the group's\n"
              "draft, planned for that day, and is published then (a new group is switched\n"
              "on with it); a group with another planned draft is refused, naming it.\n"
              "Makes no staff and no citizens (unlike 'demo').  Safe to run twice.\n"},
    {"apikey", "usage: vejled apikey add --db PATH --name NAME [--config FILE]\n"
               "Creates an API key for the case system and prints it, alone, on stdout.\n"
               "It cannot be shown again: only its hash is stored.\n"},
    {"user", "usage: vejled user add --db PATH --username U --role caseworker|admin [--unit UNIT]\n"
             "                       [--display-name NAME] [--config FILE]\n"
             "Creates a caseworker or administrator account.  The password is read from the\n"
             "first line of stdin (at least [staff] password_min_length characters) and\n"
             "stored only as an argon2id hash.  Caseworkers see the citizens of their unit.\n"},
    {"verify", "usage: vejled verify --db PATH [--config FILE]\n"
               "Recomputes the journal's hash chain and checks every stored checkpoint (its\n"
               "signature, and that the chain still has the signed head and Merkle root).\n"
               "Exit 0 if intact; 1 and the first entry or checkpoint that does not verify.\n"},
    {"keys", "usage: vejled keys show --db PATH [--config FILE]\n"
             "Prints the public key that signs the journal checkpoints (base64 of the 32-byte\n"
             "Ed25519 key) and its key id (first 16 hex digits of its SHA-256), one per line\n"
             "as 'public_key BASE64' and 'key_id HEX'.  The secret is never printed.\n"},
    {"verify-evidence", "usage: vejled verify-evidence FILE [--checkpoint FILE] [--public-key BASE64]\n"
                        "                              [--config FILE]\n"
                        "Checks an evidence bundle without the database: every entry's hash, the\n"
                        "links between entries, their Merkle proofs up to the signed checkpoint and\n"
                        "its Ed25519 signature.  --checkpoint: a checkpoint held elsewhere (the data\n"
                        "of a 'checkpoint' journal entry as the webhook delivered it), which the\n"
                        "bundle's must equal; --public-key: the key it must be signed with.\n"
                        "Files above [database] max_bundle_bytes are refused.\n"
                        "Exit 0 intact, 1 with the first failure on stderr.\n"},
    {"backup", "usage: vejled backup --db PATH --to FILE [--config FILE]\n"
               "Copies the database consistently while the server runs (SQLite backup API).\n"
               "The key file (PATH.key) is not part of it: back it up once, separately.\n"},
    {"copy", "usage: vejled copy --from FILE.db --to postgresql://… [--config FILE]\n"
             "Copies every row of an SQLite installation into an empty PostgreSQL database:\n"
             "both are migrated first, the source is read in one snapshot, the target written\n"
             "in one transaction (nothing is kept on failure).  Then the row counts of every\n"
             "table are compared on both sides and the journal is verified on the target.\n"
             "Stop the servers on the file before the final copy: what they write after the\n"
             "snapshot is not copied.  The key files are not in the database: give the new\n"
             "servers the same ones ([database] key_file, sign_key_file).\n"},
    {"jobs", "usage: vejled jobs list --db PATH [--config FILE]\n"
             "       vejled jobs run --db PATH [--now RFC3339] [--config FILE]\n"
             "       vejled jobs retry --db PATH --job N [--config FILE]\n"
             "       vejled jobs skip --db PATH --job N [--config FILE]\n"
             "list: every scheduled job (id, kind, enrolment, due time, state, attempts,\n"
             "next attempt, last error), tab-separated with a header line.\n"
             "run: one scheduler pass, exactly what the server's scheduler thread does:\n"
             "every job due at --now (default: now) runs through the configured channels,\n"
             "then the retention purge when [retention] purge_after is set.  Give it the\n"
             "file the server reads: its channels and public_url make the letters (without\n"
             "one it says which defaults it uses).\n"
             "--now sets the clock for the whole run: every time it records (journal,\n"
             "letters, deliveries) is that time.  For tests and rehearsals on a copy of\n"
             "the database, never on the live one (a warning says so when it is away from\n"
             "this machine's clock).\n"
             "retry: a letter that failed for good (state failed; fix the cause first) is\n"
             "made pending again, due now, its attempts counted from the first; the next\n"
             "pass sends it.  Also /admin/breve.\n"
             "skip: the journal's delivery to the case system is never given up by itself\n"
             "(the entries after it wait).  When the case system refuses one entry for good,\n"
             "this gives up that one: the first deliver_journal job still pending, between\n"
             "attempts.  A delivery_skipped entry (its seq and kind) is journalled and\n"
             "delivered in its place; the case system reads the skipped entry from\n"
             "GET /api/v1/citizens/{id}/journal.\n"},
    {"evidence", "usage: vejled evidence --db PATH --citizen UUID --out FILE\n"
                 "                [--checkpoint-seq N] [--config FILE]\n"
                 "Writes one PDF with the citizen's whole documentation trail: letters sent,\n"
                 "what was observed of each video, answers with content version, meeting and notes, journal;\n"
                 "and beside it FILE.json, the evidence bundle: the citizen's journal entries\n"
                 "with Merkle proofs up to a checkpoint signed now (or the stored checkpoint\n"
                 "of --checkpoint-seq N), for 'vejled verify-evidence'.\n"},
    {"purge", "usage: vejled purge --db PATH [--older-than PERIOD] [--now RFC3339] [--config FILE]\n"
              "Removes the personal data (name, e-mail, CPR, meeting notes, links, outbox\n"
              "letters) of every citizen whose last activity is older than PERIOD: Nd\n"
              "days, Nm months (30 days), Ny years (365 days), the unit required; default\n"
              "[retention] "
              "purge_after.  Statistics and the journal stay; the journal gets a\n"
              "'citizen_purged' entry per citizen.  Safe to run while the server runs.\n"
              "--now (default: now) is the time the purge counts from and records.\n"},
    {"stats", "usage: vejled stats --db PATH [--from YYYY-MM-DD --to YYYY-MM-DD]\n"
              "                    [--format json|csv] [--repeat N] [--verify] [--config FILE]\n"
              "Prints the implementation statistics for the period (default: the current\n"
              "quarter, Copenhagen time) as GET /api/v1/stats answers them (json) or as the\n"
              "dashboard's CSV extract (csv; ';'-separated).  Aggregates only, small counts\n"
              "suppressed.  --repeat N builds the dashboard's figures (the period and the\n"
              "trend over 8 quarters) N times and prints the time per build on stderr.\n"
              "--verify recounts every aggregate from the base tables and exits 1 if any\n"
              "differs.  From --config FILE it reads [stats] minutes_per_send (minutes saved\n"
              "per automatic sending, default 5) and max_range_days.\n"},
};

/* The help text of a command ("" if there is none). */
const char *main_help_text(const char *command)
{
    for (size_t i = 0; i < sizeof main_helps / sizeof main_helps[0]; i++)
        if (strcmp(main_helps[i].command, command) == 0)
            return main_helps[i].help;
    return "";
}

int main_help(const char *command)
{
    for (size_t i = 0; i < sizeof main_helps / sizeof main_helps[0]; i++)
        if (strcmp(main_helps[i].command, command) == 0) {
            fputs(main_helps[i].help, stdout);
            return 0;
        }
    fputs(main_usage, stdout);
    return 0;
}

/* The help text of a command (for usage errors on stderr). */
const char *main_help_of(const char *command)
{
    for (size_t i = 0; i < sizeof main_helps / sizeof main_helps[0]; i++)
        if (strcmp(main_helps[i].command, command) == 0)
            return main_helps[i].help;
    return main_usage;
}

int main_known(const char *command)
{
    for (size_t i = 0; i < sizeof main_helps / sizeof main_helps[0]; i++)
        if (strcmp(main_helps[i].command, command) == 0)
            return 1;
    return 0;
}
