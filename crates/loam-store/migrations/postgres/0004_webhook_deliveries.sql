-- The webhook outbox: one row per (event, subscribed webhook), written in the same transaction as
-- the change it reports, so a committed change is always delivered and a rolled-back one never is.
-- Any replica claims due rows (see webhooks::claim_deliveries); a claim pushes next_attempt_at past
-- the send timeout, so a replica that dies mid-send leaves the row to be retried by another.
-- Delivered rows are deleted; rows that exhausted their attempts keep failed_at and last_error.
CREATE TABLE webhook_deliveries (
    id UUID PRIMARY KEY NOT NULL,
    webhook_id UUID NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    body TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT,
    failed_at BIGINT,
    inserted_at BIGINT NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE failed_at IS NULL;
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id);
