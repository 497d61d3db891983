-- +goose Up
-- The givers' running sums by month alone (issue 11): see
-- 00042_giver_rank_sums.sqlite.sql.
CREATE TABLE giver_rank_sums (
    month  TEXT NOT NULL,
    org_id BIGINT NOT NULL,
    n      BIGINT NOT NULL,
    fen    BIGINT NOT NULL,
    PRIMARY KEY (month, org_id)
);
INSERT INTO giver_rank_sums (month, org_id, n, fen) SELECT month, org_id, SUM(n), SUM(fen) FROM giver_sums GROUP BY 1, 2;
-- +goose StatementBegin
CREATE FUNCTION giver_rank_sums_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE giver_rank_sums SET n = n - OLD.n, fen = fen - OLD.fen WHERE month = OLD.month AND org_id = OLD.org_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO giver_rank_sums (month, org_id, n, fen) VALUES (NEW.month, NEW.org_id, NEW.n, NEW.fen)
            ON CONFLICT (month, org_id) DO UPDATE SET n = giver_rank_sums.n + excluded.n, fen = giver_rank_sums.fen + excluded.fen;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER giver_rank_sums_follow AFTER INSERT OR UPDATE OR DELETE ON giver_sums FOR EACH ROW EXECUTE FUNCTION giver_rank_sums_follow();

-- +goose Down
DROP TRIGGER giver_rank_sums_follow ON giver_sums;
DROP FUNCTION giver_rank_sums_follow();
DROP TABLE giver_rank_sums;
