CREATE TABLE "member_stats_watermarks" (
	"name" text PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "member_stats" ADD COLUMN "engagement_30d" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "member_stats" ADD COLUMN "windows_at" timestamp with time zone;