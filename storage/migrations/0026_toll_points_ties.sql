-- A version that gives one figure twice (CNN's 33 and an unattributed 33) makes one toll point:
-- which voice it names must not depend on the order DuckDB happens to scan the claims in (the
-- lake and the file gave different ones). Ties on the value go to an attributed claim, then to
-- the claimant's name, the sentence, the qualifier and the kind.
CREATE OR REPLACE MACRO toll_points_since(since) AS TABLE
WITH ranked AS (
    SELECT *, (value, value_high, claimant <> '', claimant, sentence, qualifier, claimant_kind)
              AS rank_key
    FROM claims_since(since)
    WHERE scope = 'event' AND event_id IS NOT NULL
)
SELECT event_id, metric, subject, article_id, version,
       arg_max(value, rank_key) AS value,
       arg_max(value_high, rank_key) AS value_high,
       arg_max(qualifier, rank_key) AS qualifier,
       arg_max(claimant, rank_key) AS said_by,
       arg_max(claimant_kind, rank_key) AS claimant_kind,
       arg_max(sentence, rank_key) AS sentence,
       min(reported_at) AS reported_at, min(fetched_at) AS fetched_at, min(url) AS article_url
FROM ranked
GROUP BY event_id, metric, subject, article_id, version;
