-- feed_health gains what waits on each feed's pages (issue 17 items 4-5, issue 18 item 1):
-- pages_pending (entries the cycle's caps left for later), pages_retrying (failed, retried
-- with back-off), pages_given_up (failed max_fetch_attempts times), revisits_due, and over the
-- last 24 hours: page fetches failed, revisits done and revisits that found a new version.

CREATE OR REPLACE VIEW feed_health AS
WITH polls AS (
    SELECT feed_id,
           max(polled_at) FILTER (WHERE outcome IN ('ok', 'not_modified')) AS last_success_at,
           arg_max(outcome, polled_at) AS last_outcome,
           arg_max(reason, polled_at) AS last_reason,
           count(*) AS polls,
           count(*) FILTER (WHERE outcome = 'not_modified') / count(*) AS share_304,
           sum(entries_new) FILTER (WHERE polled_at >= now() - INTERVAL 7 DAY) AS new_7d,
           min(polled_at) FILTER (WHERE polled_at >= now() - INTERVAL 7 DAY) AS first_7d
    FROM feed_polls
    GROUP BY feed_id
), waiting AS (
    SELECT feed_id,
           count(*) FILTER (WHERE state = 'pending') AS pages_pending,
           count(*) FILTER (WHERE state = 'failed' AND due_at IS NOT NULL) AS pages_retrying,
           count(*) FILTER (WHERE state = 'failed' AND due_at IS NULL) AS pages_given_up,
           count(*) FILTER (WHERE state = 'ok' AND due_at <= now()) AS revisits_due
    FROM entries
    GROUP BY feed_id
), fetched AS (
    SELECT feed_id,
           count(*) FILTER (WHERE outcome NOT IN ('ok', 'not_modified')) AS fetches_failed_24h,
           count(*) FILTER (WHERE purpose = 'revisit') AS revisits_24h,
           count(*) FILTER (WHERE purpose = 'revisit' AND version_added IS NOT NULL)
               AS revisits_changed_24h
    FROM fetches
    WHERE fetched_at >= now() - INTERVAL 1 DAY
    GROUP BY feed_id
)
SELECT f.feed_id, f.name AS feed, f.url, f.last_polled_at, p.last_success_at,
       p.last_outcome, p.last_reason, coalesce(s.consecutive_failures, 0) AS consecutive_failures,
       p.polls, round(p.share_304, 3) AS share_304,
       round(coalesce(p.new_7d, 0)
             / greatest(epoch(now() - p.first_7d) / 86400.0, 1.0), 2) AS entries_per_day,
       s.interval_minutes AS poll_interval_minutes, s.next_poll_at, s.why AS schedule,
       coalesce(w.pages_pending, 0) AS pages_pending,
       coalesce(w.pages_retrying, 0) AS pages_retrying,
       coalesce(w.pages_given_up, 0) AS pages_given_up,
       coalesce(x.fetches_failed_24h, 0) AS fetches_failed_24h,
       coalesce(w.revisits_due, 0) AS revisits_due,
       coalesce(x.revisits_24h, 0) AS revisits_24h,
       coalesce(x.revisits_changed_24h, 0) AS revisits_changed_24h
FROM feeds f
LEFT JOIN polls p USING (feed_id)
LEFT JOIN feed_schedule s USING (feed_id)
LEFT JOIN waiting w USING (feed_id)
LEFT JOIN fetched x USING (feed_id)
ORDER BY f.name, f.feed_id;
