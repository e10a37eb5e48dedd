# Every log group is KMS-encrypted and kept for var.log_retention_days (default one year).

resource "aws_cloudwatch_log_group" "app" {
  name              = "/ecs/subtask-templates-${var.environment}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.app.arn
}

# WAF requires the "aws-waf-logs-" prefix.
resource "aws_cloudwatch_log_group" "waf" {
  name              = "aws-waf-logs-subtask-templates-${var.environment}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.app.arn
}

# Declared so that RDS's exported logs get retention and encryption (RDS would create them bare).
resource "aws_cloudwatch_log_group" "db" {
  for_each          = toset(["postgresql", "upgrade"])
  name              = "/aws/rds/instance/subtask-templates-${var.environment}/${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.app.arn
}
