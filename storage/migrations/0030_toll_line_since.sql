-- The toll line drives the outputs and the figure-change notifications, so it is read for a
-- few events at a time (`toll_line_since`, as `figure_history_since` is) and it says when each
-- of its values was first fetched (`value_first_fetched_at`): a notification is sent for a
-- step whose value no earlier run had stored, so a rerun never repeats it.
--
-- A value is a step only at the first version that said it, as the line's figure or not: a
-- text that gives "more than 80" and then "at least 84" puts 84 on the line, and a copy that
-- lags behind with "more than 80" later does not turn 84 back into 80 (it was said before).
-- A part counts as said too: a copy that gives only one town's 237 after a version that gave
-- "237 in Derna ... 303 across eastern Libya" does not turn the line's 303 back into 237.
-- Within one version the line's point is still its largest event-scoped figure.
CREATE MACRO toll_line_since(since) AS TABLE
WITH points AS (
    SELECT *, row_number() OVER (PARTITION BY event_id, metric, subject
                                 ORDER BY reported_at, fetched_at, article_id, version) AS n
    FROM toll_points_since(since)
), said AS (
    SELECT c.event_id, c.metric, c.subject, c.value, c.value_high,
           min(p.n) AS first_n, min(p.fetched_at) AS value_first_fetched_at
    FROM claims_since(since) c
    JOIN points p USING (event_id, metric, subject, article_id, version)
    WHERE c.scope IN ('event', 'part')
    GROUP BY c.event_id, c.metric, c.subject, c.value, c.value_high
), steps AS (
    SELECT p.*, s.value_first_fetched_at
    FROM points p JOIN said s USING (event_id, metric, subject, value, value_high)
    WHERE p.n = s.first_n
)
SELECT event_id, metric, subject,
       row_number() OVER line AS step,
       value, value_high, qualifier, figure_label(qualifier, value, value_high) AS figure,
       said_by, claimant_kind, reported_at, fetched_at, article_url, article_id, version,
       sentence,
       lag(value) OVER line AS previous_value,
       lag(figure_label(qualifier, value, value_high)) OVER line AS previous_figure,
       lag(said_by) OVER line AS previous_said_by,
       row_number() OVER (PARTITION BY event_id, metric, subject ORDER BY n DESC) = 1
           AS is_latest,
       value_first_fetched_at
FROM steps
WINDOW line AS (PARTITION BY event_id, metric, subject ORDER BY n)
ORDER BY event_id, metric, subject, step;

CREATE OR REPLACE VIEW toll_lines AS SELECT * FROM toll_line_since(NULL);
