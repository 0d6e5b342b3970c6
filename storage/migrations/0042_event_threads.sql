-- Threads: a follow-up weeks later (an arrest, a trial, a revised toll) starts its own event,
-- linked through `related_event_id` to the happening it follows (extractors/events.py,
-- `StorySide.follow_up`). A thread is an event with every event that follows it up, named by
-- the oldest (`thread_id`); an event nobody links is its own thread.
CREATE VIEW event_threads AS
WITH RECURSIVE up(event_id, thread_id, depth) AS (
    SELECT event_id, related_event_id, 1 FROM event_profiles WHERE related_event_id IS NOT NULL
    UNION ALL
    SELECT up.event_id, p.related_event_id, up.depth + 1
    FROM up JOIN event_profiles p ON p.event_id = up.thread_id
    WHERE p.related_event_id IS NOT NULL AND up.depth < 100
)
SELECT event_id, arg_max(thread_id, depth) AS thread_id FROM up GROUP BY event_id;

-- The thread an event belongs to (itself when it follows nothing up).
CREATE MACRO thread_of(e) AS
    coalesce((SELECT thread_id FROM event_threads WHERE event_id = e), e);

-- The toll line follows the thread: its points are those of every event of the thread, so a
-- follow-up's revised toll is a step of the happening's line. Otherwise as in 0026 and 0030.
CREATE OR REPLACE MACRO toll_points_since(since) AS TABLE
WITH ranked AS (
    SELECT *, (value, value_high, claimant <> '', claimant, sentence, qualifier, claimant_kind)
              AS rank_key
    FROM claims_since(since)
    WHERE scope = 'event' AND event_id IS NOT NULL
), threads AS (
    SELECT * FROM event_threads
    WHERE event_id IN (SELECT DISTINCT event_id FROM ranked)
)
SELECT coalesce(t.thread_id, r.event_id) AS thread_id, r.event_id, metric, subject, article_id,
       version,
       arg_max(value, rank_key) AS value,
       arg_max(value_high, rank_key) AS value_high,
       arg_max(qualifier, rank_key) AS qualifier,
       arg_max(claimant, rank_key) AS said_by,
       arg_max(claimant_kind, rank_key) AS claimant_kind,
       arg_max(sentence, rank_key) AS sentence,
       min(reported_at) AS reported_at, min(fetched_at) AS fetched_at, min(url) AS article_url
FROM ranked r LEFT JOIN threads t ON t.event_id = r.event_id
GROUP BY ALL;

CREATE OR REPLACE MACRO toll_line_since(since) AS TABLE
WITH points AS (
    SELECT *, row_number() OVER (PARTITION BY thread_id, metric, subject
                                 ORDER BY reported_at, fetched_at, article_id, version) AS n
    FROM toll_points_since(since)
), said AS (
    SELECT p.thread_id, c.metric, c.subject, c.value, c.value_high,
           min(p.n) AS first_n, min(p.fetched_at) AS value_first_fetched_at
    FROM claims_since(since) c
    JOIN points p USING (event_id, metric, subject, article_id, version)
    WHERE c.scope IN ('event', 'part')
    GROUP BY p.thread_id, c.metric, c.subject, c.value, c.value_high
), steps AS (
    SELECT p.*, s.value_first_fetched_at
    FROM points p JOIN said s USING (thread_id, metric, subject, value, value_high)
    WHERE p.n = s.first_n
)
SELECT thread_id, event_id, metric, subject,
       row_number() OVER line AS step,
       value, value_high, qualifier, figure_label(qualifier, value, value_high) AS figure,
       said_by, claimant_kind, reported_at, fetched_at, article_url, article_id, version,
       sentence,
       lag(value) OVER line AS previous_value,
       lag(figure_label(qualifier, value, value_high)) OVER line AS previous_figure,
       lag(said_by) OVER line AS previous_said_by,
       row_number() OVER (PARTITION BY thread_id, metric, subject ORDER BY n DESC) = 1
           AS is_latest,
       value_first_fetched_at
FROM steps
WINDOW line AS (PARTITION BY thread_id, metric, subject ORDER BY n)
ORDER BY thread_id, metric, subject, step;

CREATE OR REPLACE VIEW toll_lines AS SELECT * FROM toll_line_since(NULL);
