-- 0023: "answers viewed before the meeting" (stats_enrolment.viewed_at) counts only the
-- staff pages that show the citizen's answers: the citizen page ('citizen') and the
-- evidence document ('evidence').  The meeting form ('meeting') shows no answers and the
-- access-log list ('access_log') none either; a read of those is still logged, but no
-- longer counts as having seen the answers.  The recount (store_stats.c) names the same
-- pages.  What was counted before is counted again by the new rule (the day sums follow
-- through the stats_enrolment_change trigger).
DROP TRIGGER stats_access ON access_log;
CREATE TRIGGER stats_access AFTER INSERT ON access_log
    FOR EACH ROW WHEN (NEW.page IN ('citizen', 'evidence'))
    EXECUTE FUNCTION stats_access();
UPDATE stats_enrolment s SET viewed_at = v.at
FROM (SELECT e.enrolment_id,
             (SELECT min(a.at) FROM access_log a WHERE a.citizen_id = e.citizen_id
                 AND a.at >= e.created_at AND a.page IN ('citizen', 'evidence')) AS at
      FROM stats_enrolment e) v
WHERE v.enrolment_id = s.enrolment_id AND s.viewed_at IS DISTINCT FROM v.at;
