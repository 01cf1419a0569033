-- The change feed behind the server's read caches (member card, catalogue): writes that change what a
-- member's card or the shop's catalogue shows announce it with NOTIFY on `read_model_changes`, once per
-- statement, delivered at commit. Payloads: `card:<id>,<id>…` (at most 400 members), `card:*` (everybody)
-- or `catalogue`. Stock and sales counts are deliberately silent: they change with every order and the
-- catalogue cache lets them lag by its few seconds instead.
CREATE FUNCTION read_model_member_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  col text := TG_ARGV[0];
  n bigint;
  ids text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    EXECUTE format('select count(distinct %1$I), string_agg(distinct %1$I::text, '','') from new_rows', col) INTO n, ids;
  ELSIF TG_OP = 'DELETE' THEN
    EXECUTE format('select count(distinct %1$I), string_agg(distinct %1$I::text, '','') from old_rows', col) INTO n, ids;
  ELSE
    EXECUTE format('select count(distinct x), string_agg(distinct x::text, '','') from (select %1$I as x from new_rows union all select %1$I from old_rows) t', col) INTO n, ids;
  END IF;
  IF n = 0 THEN RETURN NULL; END IF;
  PERFORM pg_notify('read_model_changes', 'card:' || CASE WHEN n > 400 THEN '*' ELSE ids END);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION read_model_everything_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('read_model_changes', TG_ARGV[0]);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION read_model_member_row_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('read_model_changes', 'card:' || new.id);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER members_card_update AFTER UPDATE ON members FOR EACH ROW
  WHEN ((old.member_no, old.name, old.nickname, old.avatar_url, old.merged_into_id)
    IS DISTINCT FROM (new.member_no, new.name, new.nickname, new.avatar_url, new.merged_into_id))
  EXECUTE FUNCTION read_model_member_row_changed();
--> statement-breakpoint
CREATE TRIGGER member_tiers_card_insert AFTER INSERT ON member_tiers REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION read_model_member_changed('member_id');
--> statement-breakpoint
CREATE TRIGGER member_tiers_card_update AFTER UPDATE ON member_tiers REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION read_model_member_changed('member_id');
--> statement-breakpoint
CREATE TRIGGER member_tiers_card_delete AFTER DELETE ON member_tiers REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION read_model_member_changed('member_id');
--> statement-breakpoint
CREATE TRIGGER points_accounts_card_insert AFTER INSERT ON points_accounts REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION read_model_member_changed('member_id');
--> statement-breakpoint
CREATE TRIGGER points_accounts_card_update AFTER UPDATE ON points_accounts REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION read_model_member_changed('member_id');
--> statement-breakpoint
CREATE TRIGGER points_entries_card_insert AFTER INSERT ON points_entries REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION read_model_member_changed('member_id');
--> statement-breakpoint
CREATE TRIGGER points_entries_card_update AFTER UPDATE ON points_entries REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION read_model_member_changed('member_id');
--> statement-breakpoint
CREATE TRIGGER points_entries_card_delete AFTER DELETE ON points_entries REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION read_model_member_changed('member_id');
--> statement-breakpoint
CREATE TRIGGER benefit_usages_card_insert AFTER INSERT ON benefit_usages REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION read_model_member_changed('member_id');
--> statement-breakpoint
CREATE TRIGGER benefit_usages_card_update AFTER UPDATE ON benefit_usages REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION read_model_member_changed('member_id');
--> statement-breakpoint
CREATE TRIGGER benefit_usages_card_delete AFTER DELETE ON benefit_usages REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION read_model_member_changed('member_id');
--> statement-breakpoint
CREATE TRIGGER member_honours_card_insert AFTER INSERT ON member_honours REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION read_model_member_changed('member_id');
--> statement-breakpoint
CREATE TRIGGER member_honours_card_update AFTER UPDATE ON member_honours REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION read_model_member_changed('member_id');
--> statement-breakpoint
CREATE TRIGGER member_honours_card_delete AFTER DELETE ON member_honours REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION read_model_member_changed('member_id');
--> statement-breakpoint
CREATE TRIGGER tier_ladders_cards AFTER INSERT OR UPDATE OR DELETE ON tier_ladders FOR EACH STATEMENT EXECUTE FUNCTION read_model_everything_changed('card:*');
--> statement-breakpoint
CREATE TRIGGER tier_levels_cards AFTER INSERT OR UPDATE OR DELETE ON tier_levels FOR EACH STATEMENT EXECUTE FUNCTION read_model_everything_changed('card:*');
--> statement-breakpoint
CREATE TRIGGER benefits_cards AFTER INSERT OR UPDATE OR DELETE ON benefits FOR EACH STATEMENT EXECUTE FUNCTION read_model_everything_changed('card:*');
--> statement-breakpoint
CREATE TRIGGER categories_catalogue AFTER INSERT OR UPDATE OR DELETE ON categories FOR EACH STATEMENT EXECUTE FUNCTION read_model_everything_changed('catalogue');
--> statement-breakpoint
CREATE TRIGGER brands_catalogue AFTER INSERT OR UPDATE OR DELETE ON brands FOR EACH STATEMENT EXECUTE FUNCTION read_model_everything_changed('catalogue');
--> statement-breakpoint
CREATE TRIGGER sku_member_prices_catalogue AFTER INSERT OR UPDATE OR DELETE ON sku_member_prices FOR EACH STATEMENT EXECUTE FUNCTION read_model_everything_changed('catalogue');
--> statement-breakpoint
CREATE TRIGGER products_catalogue_insert_delete AFTER INSERT OR DELETE ON products FOR EACH STATEMENT EXECUTE FUNCTION read_model_everything_changed('catalogue');
--> statement-breakpoint
CREATE TRIGGER products_catalogue_update AFTER UPDATE ON products FOR EACH ROW
  WHEN ((old.category_id, old.brand_id, old.title, old.subtitle, old.description, old.images, old.status, old.sort, old.min_price_fen)
    IS DISTINCT FROM (new.category_id, new.brand_id, new.title, new.subtitle, new.description, new.images, new.status, new.sort, new.min_price_fen))
  EXECUTE FUNCTION read_model_everything_changed('catalogue');
--> statement-breakpoint
CREATE TRIGGER skus_catalogue_insert_delete AFTER INSERT OR DELETE ON skus FOR EACH STATEMENT EXECUTE FUNCTION read_model_everything_changed('catalogue');
--> statement-breakpoint
CREATE TRIGGER skus_catalogue_update AFTER UPDATE ON skus FOR EACH ROW
  WHEN ((old.product_id, old.spec, old.price_fen) IS DISTINCT FROM (new.product_id, new.spec, new.price_fen)
    OR ((old.stock > 0) IS DISTINCT FROM (new.stock > 0)))
  EXECUTE FUNCTION read_model_everything_changed('catalogue');
