-- One name per claimant_key (0005) from a table of spelling counts kept as claims are written
-- and deleted (storage/spellings.py), not from every stored claim counted at each read: the
-- cycle's figure-change check joins `claimant_names`, which read all of `article_claims`
-- (546k rows at 3M versions, a third of that check), and a real stream adds claims by the
-- hundred thousand a day. Same names, same rule: the fullest spelling (most words, up to 4),
-- then the most used, then the greatest.
CREATE TABLE claimant_spellings (
    claimant_key VARCHAR NOT NULL,
    claimant     VARCHAR NOT NULL,
    n            BIGINT NOT NULL,      -- stored claims with this spelling
    PRIMARY KEY (claimant_key, claimant)
);

INSERT INTO claimant_spellings
SELECT claimant_key, claimant, count(*) FROM article_claims WHERE claimant <> '' GROUP BY ALL;

CREATE OR REPLACE VIEW claimant_names AS
SELECT claimant_key,
       arg_max(claimant, (least(length(claimant) - length(replace(claimant, ' ', '')), 4), n,
                          claimant)) AS display_name,
       count(*) AS n_spellings
FROM claimant_spellings
GROUP BY claimant_key;
