# Least privilege between the three tiers: internet -> ALB (443, and 80 only to redirect),
# ALB -> tasks (HTTPS on 8080), tasks -> database (5432) and HTTPS out; the database has no egress.

resource "aws_security_group" "alb" {
  name        = "stj-${var.environment}-alb"
  description = "subtask-templates load balancer: HTTPS from the internet"
  vpc_id      = var.vpc_id
}

resource "aws_security_group" "app" {
  name        = "stj-${var.environment}-app"
  description = "subtask-templates tasks: HTTP from the load balancer only"
  vpc_id      = var.vpc_id
}

resource "aws_security_group" "db" {
  name        = "stj-${var.environment}-db"
  description = "subtask-templates database: PostgreSQL from the tasks only"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "alb_https" {
  for_each          = toset(["0.0.0.0/0", "::/0"])
  security_group_id = aws_security_group.alb.id
  description       = "HTTPS from Jira Cloud and users' browsers (any address)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = strcontains(each.value, ":") ? null : each.value
  cidr_ipv6         = strcontains(each.value, ":") ? each.value : null
}

resource "aws_vpc_security_group_ingress_rule" "alb_http_redirect" {
  #checkov:skip=CKV_AWS_260:Port 80 only answers with a 301 to HTTPS (listener "http_redirect"); it never reaches the app.
  security_group_id = aws_security_group.alb.id
  description       = "HTTP, answered only with a redirect to HTTPS"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "alb_to_app" {
  security_group_id            = aws_security_group.alb.id
  description                  = "Forward to the tasks"
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8080
  referenced_security_group_id = aws_security_group.app.id
}

resource "aws_vpc_security_group_ingress_rule" "app_from_alb" {
  security_group_id            = aws_security_group.app.id
  description                  = "HTTPS from the load balancer"
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8080
  referenced_security_group_id = aws_security_group.alb.id
}

resource "aws_vpc_security_group_egress_rule" "app_to_db" {
  security_group_id            = aws_security_group.app.id
  description                  = "PostgreSQL"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.db.id
}

resource "aws_vpc_security_group_egress_rule" "app_https_out" {
  # Any address: Jira Cloud sites (*.atlassian.net) and Atlassian's install-key service have no
  # fixed ranges; AWS APIs (ECR, Secrets Manager, Logs) are reached through the NAT too.
  security_group_id = aws_security_group.app.id
  description       = "HTTPS to Atlassian and AWS APIs"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_ingress_rule" "db_from_app" {
  security_group_id            = aws_security_group.db.id
  description                  = "PostgreSQL from the tasks"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.app.id
}
