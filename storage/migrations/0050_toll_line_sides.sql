-- A toll line per side: in a conflict, what a militant group claims is not a revision of what
-- the officials count, nor the other way round. The BLA's "84 security personnel killed" and the
-- officials' "33 killed" are two lines, each with its own steps; the BLA's 7 of its own fighters
-- killed and the army's 145 militants killed are two lines too (each right as what that side
-- said), where one line read them as a revision 7 -> 145.
--
-- The side of a claim (`claim_side`) is 'militant' when a militant group claims it, else
-- 'official': governments, police, the army, the media, NGOs and unattributed figures report
-- the same count, so a new voice among them (the mayor's 3, then the authorities' 5) still
-- revises the one line. A line is (thread, metric, subject, side); otherwise as in 0042 (points:
-- a version's largest event-scoped figure of the side; a value is a step only at the first
-- version of the side that said it). Every column is kept; `side` follows `subject`.
--
-- An unattributed figure that a militant group gave before is the group's claim retold as fact
-- (a timeline's "killing 84 security personnel" after the BLA claimed at least 84): it is no
-- point of the officials' line, so the officials' figure of the same version (17) is. Cost: an
-- officials' count that happens to equal an earlier militant claim, given without a source, is
-- not on the line (the claimants' series still show it).
CREATE MACRO claim_side(kind) AS
    CASE WHEN kind = 'militant_group' THEN 'militant' ELSE 'official' END;

CREATE OR REPLACE MACRO toll_points_since(since) AS TABLE
WITH scoped AS (
    SELECT * FROM claims_since(since) WHERE scope = 'event' AND event_id IS NOT NULL
), threads AS (
    SELECT * FROM event_threads
    WHERE event_id IN (SELECT DISTINCT event_id FROM scoped)
), sided AS (
    SELECT c.*, coalesce(t.thread_id, c.event_id) AS thread_id,
           claim_side(c.claimant_kind) AS side
    FROM scoped c LEFT JOIN threads t ON t.event_id = c.event_id
), ranked AS (
    SELECT *, (value, value_high, claimant <> '', claimant, sentence, qualifier, claimant_kind)
              AS rank_key
    FROM sided s
    WHERE NOT (s.claimant_kind = 'unattributed' AND EXISTS (
        SELECT 1 FROM sided m
        WHERE m.side = 'militant' AND m.thread_id = s.thread_id AND m.metric = s.metric
          AND m.subject = s.subject AND m.value = s.value AND m.reported_at <= s.reported_at))
)
SELECT thread_id, event_id, metric, subject, side, article_id, version,
       arg_max(value, rank_key) AS value,
       arg_max(value_high, rank_key) AS value_high,
       arg_max(qualifier, rank_key) AS qualifier,
       arg_max(claimant, rank_key) AS said_by,
       arg_max(claimant_kind, rank_key) AS claimant_kind,
       arg_max(sentence, rank_key) AS sentence,
       min(reported_at) AS reported_at, min(fetched_at) AS fetched_at, min(url) AS article_url
FROM ranked
GROUP BY ALL;

CREATE OR REPLACE MACRO toll_line_since(since) AS TABLE
WITH points AS (
    SELECT *, row_number() OVER (PARTITION BY thread_id, metric, subject, side
                                 ORDER BY reported_at, fetched_at, article_id, version) AS n
    FROM toll_points_since(since)
), said AS (
    SELECT p.thread_id, c.metric, c.subject, p.side, c.value, c.value_high,
           min(p.n) AS first_n, min(p.fetched_at) AS value_first_fetched_at
    FROM claims_since(since) c
    JOIN points p ON p.event_id = c.event_id AND p.metric = c.metric
                 AND p.subject = c.subject AND p.side = claim_side(c.claimant_kind)
                 AND p.article_id = c.article_id AND p.version = c.version
    WHERE c.scope IN ('event', 'part')
    GROUP BY p.thread_id, c.metric, c.subject, p.side, c.value, c.value_high
), steps AS (
    SELECT p.*, s.value_first_fetched_at
    FROM points p JOIN said s USING (thread_id, metric, subject, side, value, value_high)
    WHERE p.n = s.first_n
)
SELECT thread_id, event_id, metric, subject, side,
       row_number() OVER line AS step,
       value, value_high, qualifier, figure_label(qualifier, value, value_high) AS figure,
       said_by, claimant_kind, reported_at, fetched_at, article_url, article_id, version,
       sentence,
       lag(value) OVER line AS previous_value,
       lag(figure_label(qualifier, value, value_high)) OVER line AS previous_figure,
       lag(said_by) OVER line AS previous_said_by,
       row_number() OVER (PARTITION BY thread_id, metric, subject, side ORDER BY n DESC) = 1
           AS is_latest,
       value_first_fetched_at
FROM steps
WINDOW line AS (PARTITION BY thread_id, metric, subject, side ORDER BY n)
ORDER BY thread_id, metric, subject, side, step;

CREATE OR REPLACE VIEW toll_lines AS SELECT * FROM toll_line_since(NULL);
