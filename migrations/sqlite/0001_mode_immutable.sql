-- R-WS-1: a workspace's billing mode is permanent. The core refuses first with
-- MODE_IMMUTABLE; this trigger makes the database refuse too, whoever writes.
CREATE TRIGGER `workspaces_mode_immutable`
BEFORE UPDATE OF `mode` ON `workspaces`
WHEN NEW.`mode` <> OLD.`mode`
BEGIN
  SELECT RAISE(ABORT, 'MODE_IMMUTABLE: a workspace billing mode cannot change');
END;
