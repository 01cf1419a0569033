-- A flash sale announces on the change feed (read_model_changes, at commit) when it sells out, ends or
-- has units again, so every server process can refuse buyers of a sold-out sale from memory.
CREATE FUNCTION flash_sale_state_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('read_model_changes', 'flash_sale:' || new.id || ':' ||
    CASE WHEN new.ended_at IS NOT NULL THEN 'ended' WHEN new.stock_left > 0 THEN 'selling' ELSE 'sold_out' END);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER flash_sales_state_notice AFTER UPDATE ON flash_sales FOR EACH ROW
  WHEN ((old.stock_left > 0) IS DISTINCT FROM (new.stock_left > 0)
    OR (old.ended_at IS NULL) IS DISTINCT FROM (new.ended_at IS NULL))
  EXECUTE FUNCTION flash_sale_state_changed();
