-- Token buckets shared by every API replica (rate limits per tenant). Unlogged: losing them in a crash only refills
-- the buckets, and every request would otherwise write WAL.
CREATE UNLOGGED TABLE rate_limit_buckets (
    partition    text             NOT NULL PRIMARY KEY,
    tokens       double precision NOT NULL,
    refreshed_at timestamptz      NOT NULL
);
