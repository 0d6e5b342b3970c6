-- Feed health and adaptive polling (issue 10). feed_schedule holds each feed's polling state,
-- overwritten after every poll (like the validators on feeds); feed_polls stays append-only and
-- now also records a 429/503's Retry-After.

ALTER TABLE feed_polls ADD COLUMN retry_after_s DOUBLE;

CREATE TABLE feed_schedule (
    feed_id              VARCHAR PRIMARY KEY,
    interval_minutes     DOUBLE NOT NULL,       -- adaptive interval while the feed is healthy
    consecutive_failures INTEGER NOT NULL,      -- failed polls since the last success
    next_poll_at         TIMESTAMPTZ NOT NULL,  -- a due-only run skips the feed until then
    why                  VARCHAR NOT NULL,      -- busy | quiet | steady | backoff | retry_after
    updated_at           TIMESTAMPTZ NOT NULL
);

CREATE VIEW feed_health AS
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
)
SELECT f.feed_id, f.name AS feed, f.url, f.last_polled_at, p.last_success_at,
       p.last_outcome, p.last_reason, coalesce(s.consecutive_failures, 0) AS consecutive_failures,
       p.polls, round(p.share_304, 3) AS share_304,
       round(coalesce(p.new_7d, 0)
             / greatest(epoch(now() - p.first_7d) / 86400.0, 1.0), 2) AS entries_per_day,
       s.interval_minutes AS poll_interval_minutes, s.next_poll_at, s.why AS schedule
FROM feeds f
LEFT JOIN polls p USING (feed_id)
LEFT JOIN feed_schedule s USING (feed_id)
ORDER BY f.name, f.feed_id;
