CREATE INDEX "member_stats_windows_idx" ON "member_stats" USING btree ("windows_at");--> statement-breakpoint
CREATE INDEX "members_merged_idx" ON "members" USING btree ("merged_into_id") WHERE "members"."merged_into_id" is not null;--> statement-breakpoint
-- The nightly pass rewrites tens of thousands of statistics rows in place: room on each page keeps
-- those updates on the page (HOT), with no index entries to add.
ALTER TABLE "member_stats" SET (fillfactor = 85);--> statement-breakpoint
-- The day's slice of events and orders leaving their windows is read from the index alone.
DROP INDEX "member_events_type_time_idx";--> statement-breakpoint
CREATE INDEX "member_events_type_time_idx" ON "member_events" USING btree ("type","occurred_at") INCLUDE ("member_id");--> statement-breakpoint
DROP INDEX "orders_paid_at_idx";--> statement-breakpoint
CREATE INDEX "orders_paid_at_idx" ON "orders" USING btree ("paid_at") INCLUDE ("member_id","status");
