output "load_balancer_dns_name" {
  description = "Point var.domain_name here (CNAME or alias)."
  value       = aws_lb.app.dns_name
}

output "database_endpoint" {
  description = "Host:port for the registry URL secret."
  value       = aws_db_instance.app.endpoint
}

output "registry_url_secret_arn" {
  description = "Put the app role's PostgreSQL URL here (put-secret-value)."
  value       = aws_secretsmanager_secret.registry_url.arn
}

output "migrate_url_secret_arn" {
  description = "Put the schema owner's PostgreSQL URL here (put-secret-value); only the migration task reads it."
  value       = aws_secretsmanager_secret.migrate_url.arn
}

output "sealing_keys_secret_arn" {
  description = "Put the sealing keys here as JSON {\"<id>\": \"<64 hex>\"}."
  value       = aws_secretsmanager_secret.sealing_keys.arn
}

output "migrate_command" {
  description = "Run before rolling out a new image: applies the embedded migrations once."
  value = join(" ", [
    "aws ecs run-task --cluster ${aws_ecs_cluster.app.name}",
    "--task-definition ${aws_ecs_task_definition.migrate.arn} --launch-type FARGATE",
    "--network-configuration 'awsvpcConfiguration={subnets=[${join(",", var.private_subnet_ids)}],securityGroups=[${aws_security_group.app.id}],assignPublicIp=DISABLED}'",
  ])
}
