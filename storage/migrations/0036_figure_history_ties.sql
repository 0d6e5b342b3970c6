-- Copies of one article on several hosts carry a figure with the same report time: which
-- claimant spelling and which article URL figure_history names must not depend on the order
-- the claims are scanned in (a sequencer fed by several workers inserts the copies in another
-- order than one box). Ties on the time go to the smallest claimant spelling and URL.
CREATE OR REPLACE MACRO figure_history_since(since) AS TABLE
WITH figures AS (
    SELECT event_id, claimant_kind, claimant_key, metric, subject, value, value_high, qualifier,
           arg_min(claimant, (reported_at, claimant)) FILTER (WHERE reported_at IS NOT NULL)
               AS claimant,
           min(fetched_at) AS first_seen_at, max(fetched_at) AS last_seen_at,
           min(reported_at) AS first_published_at,
           count(DISTINCT story_id) AS n_sources,
           arg_min(url, (reported_at, url)) FILTER (WHERE reported_at IS NOT NULL) AS article_url
    FROM claims_since(since)
    WHERE scope = 'event'
    GROUP BY ALL
)
SELECT event_id, claimant_kind, claimant, metric, subject, value, value_high, qualifier,
       figure_label(qualifier, value, value_high) AS figure,
       first_seen_at, last_seen_at, first_published_at, n_sources,
       lag(value) OVER (PARTITION BY event_id, claimant_kind, claimant_key, metric, subject
                        ORDER BY first_published_at, value, value_high, qualifier) AS previous_value,
       article_url, claimant_key
FROM figures
ORDER BY first_published_at, claimant_kind, metric, subject, value;

CREATE OR REPLACE VIEW figure_history AS SELECT * FROM figure_history_since(NULL);
