# Subtask Templates for Jira on AWS (eu-west-1): one container on ECS Fargate behind an ALB,
# RDS PostgreSQL for installation metadata, Secrets Manager for the registry URL and sealing keys.
# Deployed into an existing VPC (platform-owned: subnets, NAT, flow logs, endpoints).
# Scanned offline by `cargo xtask ci` (checkov); suppressions are inline with their reason.

terraform {
  required_version = ">= 1.6.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.80"
    }
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Application = "subtask-templates"
      Environment = var.environment
      ManagedBy   = "terraform"
    }
  }
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
