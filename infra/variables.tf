variable "region" {
  description = "AWS region. The security policy hosts everything in eu-west-1 (Ireland) only."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = var.region == "eu-west-1"
    error_message = "The security policy allows eu-west-1 (Ireland) only."
  }
}

variable "environment" {
  description = "Deployment name, used in resource names (e.g. production)."
  type        = string
  default     = "production"
}

variable "vpc_id" {
  description = "VPC to deploy into."
  type        = string
}

variable "public_subnet_ids" {
  description = "Subnets for the internet-facing load balancer (at least two AZs)."
  type        = list(string)
}

variable "private_subnet_ids" {
  description = "Subnets without public IPs for the tasks and the database (egress through NAT)."
  type        = list(string)
}

variable "domain_name" {
  description = "Public host name of the app, e.g. subtask-templates.example.com (the Connect base URL)."
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate for domain_name in this region."
  type        = string
}

variable "image" {
  description = "Container image, pinned by digest (repository@sha256:...)."
  type        = string

  validation {
    condition     = can(regex("@sha256:[0-9a-f]{64}$", var.image))
    error_message = "Pin the image by digest: repository@sha256:<64 hex>."
  }
}

variable "desired_count" {
  description = "Number of tasks."
  type        = number
  default     = 2
}

variable "task_cpu" {
  description = "Fargate task CPU units."
  type        = number
  default     = 512
}

variable "task_memory" {
  description = "Fargate task memory (MiB)."
  type        = number
  default     = 1024
}

variable "db_instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.t4g.small"
}

variable "log_retention_days" {
  description = "CloudWatch Logs retention (at least a year: security logs are kept 12 months)."
  type        = number
  default     = 365

  validation {
    condition     = var.log_retention_days >= 365
    error_message = "The security policy keeps security logs for 12 months: at least 365 days."
  }
}

variable "sealing_key_ids" {
  description = "Key ids present in the sealing-keys secret (lower case), old ones included until no row uses them."
  type        = list(string)
}

variable "sealing_active_key_id" {
  description = "The key id that seals new secrets; one of sealing_key_ids."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9_]+$", var.sealing_active_key_id))
    error_message = "Key ids are lower case letters, digits and underscores."
  }
}

variable "ecr_repository_name" {
  description = "ECR repository (this account and region) that var.image comes from."
  type        = string
  default     = "subtask-templates"
}
