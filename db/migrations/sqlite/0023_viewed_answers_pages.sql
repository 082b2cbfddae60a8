-- 0023: "answers viewed before the meeting" (stats_enrolment.viewed_at) counts only the
-- staff pages that show the citizen's answers: the citizen page ('citizen') and the
-- evidence document ('evidence').  The meeting form ('meeting') shows no answers and the
-- access-log list ('access_log') none either; a read of those is still logged, but no
-- longer counts as having seen the answers.  The recount (store_stats.c) names the same
-- pages.  What was counted before is counted again by the new rule (the day sums follow
-- through the stats_enrolment_change trigger).
DROP TRIGGER stats_access;
CREATE TRIGGER stats_access AFTER INSERT ON access_log
WHEN NEW.page IN ('citizen', 'evidence') BEGIN
    UPDATE stats_enrolment SET viewed_at = NEW.at
    WHERE citizen_id = NEW.citizen_id AND created_at <= NEW.at
      AND (viewed_at IS NULL OR viewed_at > NEW.at);
END;
UPDATE stats_enrolment SET viewed_at = (
    SELECT min(a.at) FROM access_log a WHERE a.citizen_id = stats_enrolment.citizen_id
       AND a.at >= stats_enrolment.created_at AND a.page IN ('citizen', 'evidence'))
WHERE viewed_at IS NOT (
    SELECT min(a.at) FROM access_log a WHERE a.citizen_id = stats_enrolment.citizen_id
       AND a.at >= stats_enrolment.created_at AND a.page IN ('citizen', 'evidence'));
