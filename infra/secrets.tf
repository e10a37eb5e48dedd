# Secret values are never in Terraform (nor in its state): operators put them in with
#   aws secretsmanager put-secret-value --secret-id <arn> --secret-string ...
# registry_url: postgres://stj_app:<password>@<db endpoint>:5432/stj (the app's own role: DML on
#   the app's tables only, not the master user). TLS is configuration, not URL: the image's
#   production.toml sets sslmode = verify-full with RDS's CA bundle (docs/runbook.md).
# migrate_url: postgres://stj_migrator:<password>@<db endpoint>:5432/stj, the schema owner,
#   read only by the one-off migration task.
# sealing_keys: JSON {"<key id>": "<64 hex characters>", ...}; var.sealing_key_ids names the ids
#   the tasks receive as APP__SEALING__KEYS__<id>, var.sealing_active_key_id the one that seals.

resource "aws_secretsmanager_secret" "registry_url" {
  #checkov:skip=CKV2_AWS_57:The URL embeds the app role's password; it is rotated by the runbook (new role password, put-secret-value, redeploy), since a rotation Lambda would have to rewrite the URL format.
  name                    = "subtask-templates/${var.environment}/registry-url"
  description             = "APP__REGISTRY__URL: PostgreSQL URL of the app's own database role"
  kms_key_id              = aws_kms_key.app.arn
  recovery_window_in_days = 30
}

resource "aws_secretsmanager_secret" "sealing_keys" {
  #checkov:skip=CKV2_AWS_57:Sealing keys rotate by adding a key id (SECURITY.md, Key rotation); replacing a value in place would make sealed tenant secrets unreadable.
  name                    = "subtask-templates/${var.environment}/sealing-keys"
  description             = "APP__SEALING__KEYS__<id>: AES-256-GCM keys sealing tenants' shared secrets"
  kms_key_id              = aws_kms_key.app.arn
  recovery_window_in_days = 30
}

resource "aws_secretsmanager_secret" "migrate_url" {
  #checkov:skip=CKV2_AWS_57:The URL embeds the migrator role's password; it is rotated by the runbook (new role password, put-secret-value), since a rotation Lambda would have to rewrite the URL format.
  name                    = "subtask-templates/${var.environment}/migrate-url"
  description             = "APP__REGISTRY__URL of the migration task: PostgreSQL URL of the schema owner role"
  kms_key_id              = aws_kms_key.app.arn
  recovery_window_in_days = 30
}
