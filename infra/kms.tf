# One customer-managed key for this app's data at rest: logs, secrets, database, Performance Insights.
resource "aws_kms_key" "app" {
  description             = "subtask-templates ${var.environment}: logs, secrets, database"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms.json
}

resource "aws_kms_alias" "app" {
  name          = "alias/subtask-templates-${var.environment}"
  target_key_id = aws_kms_key.app.key_id
}

data "aws_iam_policy_document" "kms" {
  #checkov:skip=CKV_AWS_109:A KMS key policy's Resource is always "*" (this key); administration is limited to the account root, i.e. to IAM policies.
  #checkov:skip=CKV_AWS_111:A KMS key policy's Resource is always "*" (this key); writes are limited to the account root and to named AWS services.
  #checkov:skip=CKV_AWS_356:A KMS key policy's Resource is always "*", meaning this key only.
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }

  statement {
    sid       = "CloudWatchLogsEncrypt"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${var.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${data.aws_partition.current.partition}:logs:${var.region}:${data.aws_caller_identity.current.account_id}:log-group:*"]
    }
  }
}
