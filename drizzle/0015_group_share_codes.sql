-- A group's share page is reached by a random code rather than its sequential id.
ALTER TABLE "group_buy_groups" ADD COLUMN "share_code" text;
--> statement-breakpoint
UPDATE "group_buy_groups" SET "share_code" = substr(md5(random()::text || clock_timestamp()::text || "id"::text), 1, 16) WHERE "share_code" IS NULL;
--> statement-breakpoint
ALTER TABLE "group_buy_groups" ALTER COLUMN "share_code" SET NOT NULL;
--> statement-breakpoint
CREATE UNIQUE INDEX "group_buy_groups_share_code_key" ON "group_buy_groups" USING btree ("share_code");
