-- A number per workspace that moves with every change of its org tree (an org
-- made, renamed, moved or deleted), whoever writes, so a process may keep a
-- loaded tree while the number stays the same (src/core/orgs/tree-cache.ts).
-- PostgreSQL's twin is migrations/postgres/0016's, bumped per statement there.
-- No foreign key: a workspace deleted takes its orgs with it, whose triggers
-- still write here; a leftover row for a gone workspace is harmless.
CREATE TABLE `wsb_tree_versions` (
  `workspace_id` text PRIMARY KEY NOT NULL,
  `version` integer NOT NULL
);--> statement-breakpoint
CREATE TRIGGER `organizations_tree_inserted` AFTER INSERT ON `organizations` BEGIN
  INSERT INTO wsb_tree_versions (workspace_id, version) VALUES (NEW.workspace_id, 1)
  ON CONFLICT (workspace_id) DO UPDATE SET version = version + 1;
END;--> statement-breakpoint
CREATE TRIGGER `organizations_tree_updated` AFTER UPDATE OF `name`, `parent_id`, `workspace_id` ON `organizations` BEGIN
  INSERT INTO wsb_tree_versions (workspace_id, version) VALUES (NEW.workspace_id, 1)
  ON CONFLICT (workspace_id) DO UPDATE SET version = version + 1;
END;--> statement-breakpoint
CREATE TRIGGER `organizations_tree_deleted` AFTER DELETE ON `organizations` BEGIN
  INSERT INTO wsb_tree_versions (workspace_id, version) VALUES (OLD.workspace_id, 1)
  ON CONFLICT (workspace_id) DO UPDATE SET version = version + 1;
END;
