# One container per task on Fargate, in private subnets without public IPs, behind the ALB.
# Read-only root filesystem, non-root user, every Linux capability dropped; secrets arrive as
# environment variables from Secrets Manager (APP__REGISTRY__URL, APP__SEALING__KEYS__<id>).
# Before rolling out a new image, run the migration as the one-off task "migrate" (its own task
# definition, execution role and database role: the schema owner; see output "migrate_command").
# No container health check: the image has no shell or probe program, and the ALB's HTTPS
# health check on /healthz is what takes a task out of service (ECS replaces unhealthy targets).

locals {
  container = "app"
  sealing_key_secrets = [
    for id in var.sealing_key_ids : {
      name      = "APP__SEALING__KEYS__${id}"
      valueFrom = "${aws_secretsmanager_secret.sealing_keys.arn}:${id}::"
    }
  ]
}

resource "aws_ecs_cluster" "app" {
  name = "subtask-templates-${var.environment}"

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_ecs_task_definition" "app" {
  family                   = "subtask-templates-${var.environment}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_cpu
  memory                   = var.task_memory
  execution_role_arn       = aws_iam_role.execution.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([
    {
      name                   = local.container
      image                  = var.image
      essential              = true
      user                   = "65532:65532"
      readonlyRootFilesystem = true
      privileged             = false
      command                = ["serve"]
      portMappings           = [{ containerPort = 8080, protocol = "tcp" }]
      linuxParameters = {
        initProcessEnabled = true
        capabilities       = { drop = ["ALL"] }
      }
      environment = [
        { name = "APP_ENVIRONMENT", value = "production" },
        { name = "APP__CONNECT__BASE_URL", value = "https://${var.domain_name}" },
        { name = "APP__SEALING__ACTIVE_KEY_ID", value = var.sealing_active_key_id },
      ]
      secrets = concat(
        [{ name = "APP__REGISTRY__URL", valueFrom = aws_secretsmanager_secret.registry_url.arn }],
        local.sealing_key_secrets,
      )
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.app.name
          awslogs-region        = var.region
          awslogs-stream-prefix = "app"
        }
      }
    }
  ])
}

resource "aws_ecs_task_definition" "migrate" {
  family                   = "subtask-templates-${var.environment}-migrate"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  execution_role_arn       = aws_iam_role.migrate_execution.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([
    {
      name                   = local.container
      image                  = var.image
      essential              = true
      user                   = "65532:65532"
      readonlyRootFilesystem = true
      privileged             = false
      command                = ["migrate"]
      linuxParameters = {
        initProcessEnabled = true
        capabilities       = { drop = ["ALL"] }
      }
      # `migrate` seals nothing, so it gets no sealing key: the settings' "active key has a key"
      # check is met by a placeholder that never seals a secret (the serving tasks' keys stay
      # readable by their role only).
      environment = [
        { name = "APP_ENVIRONMENT", value = "production" },
        { name = "APP__CONNECT__BASE_URL", value = "https://${var.domain_name}" },
        { name = "APP__SEALING__ACTIVE_KEY_ID", value = "migrate_unused" },
        { name = "APP__SEALING__KEYS__migrate_unused", value = join("", [for i in range(64) : "0"]) },
      ]
      secrets = [{ name = "APP__REGISTRY__URL", valueFrom = aws_secretsmanager_secret.migrate_url.arn }]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.app.name
          awslogs-region        = var.region
          awslogs-stream-prefix = "migrate"
        }
      }
    }
  ])
}

resource "aws_ecs_service" "app" {
  name                               = "subtask-templates"
  cluster                            = aws_ecs_cluster.app.id
  task_definition                    = aws_ecs_task_definition.app.arn
  desired_count                      = var.desired_count
  launch_type                        = "FARGATE"
  platform_version                   = "LATEST"
  health_check_grace_period_seconds  = 30
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  enable_execute_command             = false
  propagate_tags                     = "SERVICE"

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.app.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.app.arn
    container_name   = local.container
    container_port   = 8080
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  depends_on = [aws_lb_listener.https]
}
