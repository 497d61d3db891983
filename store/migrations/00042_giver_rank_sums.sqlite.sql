-- +goose Up
-- The givers' running sums by month alone (issue 11): the dashboard ranks
-- every east unit over a period, and giver_sums carries the county and,
-- since 00024, the form, so a year of it was 17,084 rows on the benchmark
-- (89 units × 4 counties × 4 forms × 12 months) where the ranking needs
-- 1,068; the dashboard went from about 5 to 22 ms. This table follows
-- giver_sums through its own triggers, so every path that changes the
-- givers' sums (the contributions' triggers, an import's batch sums, its
-- undo) keeps it without knowing of it.
CREATE TABLE giver_rank_sums (
    month  TEXT NOT NULL,
    org_id BIGINT NOT NULL,
    n      BIGINT NOT NULL,
    fen    BIGINT NOT NULL,
    PRIMARY KEY (month, org_id)
) WITHOUT ROWID;
INSERT INTO giver_rank_sums (month, org_id, n, fen) SELECT month, org_id, SUM(n), SUM(fen) FROM giver_sums GROUP BY 1, 2;
-- +goose StatementBegin
CREATE TRIGGER giver_rank_sums_insert AFTER INSERT ON giver_sums BEGIN
    INSERT INTO giver_rank_sums (month, org_id, n, fen) VALUES (NEW.month, NEW.org_id, NEW.n, NEW.fen)
        ON CONFLICT (month, org_id) DO UPDATE SET n = giver_rank_sums.n + excluded.n, fen = giver_rank_sums.fen + excluded.fen;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER giver_rank_sums_update AFTER UPDATE ON giver_sums BEGIN
    UPDATE giver_rank_sums SET n = n - OLD.n, fen = fen - OLD.fen WHERE month = OLD.month AND org_id = OLD.org_id;
    INSERT INTO giver_rank_sums (month, org_id, n, fen) VALUES (NEW.month, NEW.org_id, NEW.n, NEW.fen)
        ON CONFLICT (month, org_id) DO UPDATE SET n = giver_rank_sums.n + excluded.n, fen = giver_rank_sums.fen + excluded.fen;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER giver_rank_sums_delete AFTER DELETE ON giver_sums BEGIN
    UPDATE giver_rank_sums SET n = n - OLD.n, fen = fen - OLD.fen WHERE month = OLD.month AND org_id = OLD.org_id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER giver_rank_sums_delete;
DROP TRIGGER giver_rank_sums_update;
DROP TRIGGER giver_rank_sums_insert;
DROP TABLE giver_rank_sums;
