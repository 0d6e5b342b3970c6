-- The toll line (issue 18): one line per (event, metric, subject) that a reader can follow,
-- beside the per-claimant series of figure_history. A revision by a new voice (the mayor's 3
-- killed, then the authorities' 5) is a step on the line, with who said each value.
--
-- A point is one stored version's figure for the metric and subject: its largest event-scoped
-- claim (a headline figure; a part such as one district's toll is smaller), said by whoever
-- said that claim ('' when unattributed). Points are ordered by when they were reported. A value
-- already on the line does not come back as a step: a copy that lags behind with an older
-- figure (ThePrint republishing the first version) does not turn 9 back into 7.
--
-- Each row is one step: its figure, who said it, the step before it, and whether it is the
-- line's latest. Figure-change notifications read the steps fetched since their last check:
--   SELECT * FROM toll_lines WHERE previous_value IS NOT NULL AND fetched_at >= ?
CREATE MACRO toll_points_since(since) AS TABLE
SELECT event_id, metric, subject, article_id, version,
       arg_max(value, (value, value_high)) AS value,
       arg_max(value_high, (value, value_high)) AS value_high,
       arg_max(qualifier, (value, value_high)) AS qualifier,
       arg_max(claimant, (value, value_high)) AS said_by,
       arg_max(claimant_kind, (value, value_high)) AS claimant_kind,
       arg_max(sentence, (value, value_high)) AS sentence,
       min(reported_at) AS reported_at, min(fetched_at) AS fetched_at, min(url) AS article_url
FROM claims_since(since)
WHERE scope = 'event' AND event_id IS NOT NULL
GROUP BY event_id, metric, subject, article_id, version;

CREATE VIEW toll_lines AS
WITH ordered AS (
    SELECT *, row_number() OVER (PARTITION BY event_id, metric, subject
                                 ORDER BY reported_at, fetched_at, article_id, version) AS n
    FROM toll_points_since(NULL)
), steps AS (
    SELECT * FROM ordered
    QUALIFY row_number() OVER (PARTITION BY event_id, metric, subject, value, value_high
                               ORDER BY n) = 1
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
           AS is_latest
FROM steps
WINDOW line AS (PARTITION BY event_id, metric, subject ORDER BY n)
ORDER BY event_id, metric, subject, step;
