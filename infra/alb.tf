# Internet-facing ALB: TLS 1.2+ on 443, 80 only redirects, invalid headers dropped, AWS WAF.
# No ALB access logs (see the skip below). Jira Cloud calls the app from the internet, so the
# ALB has to be public.

resource "aws_lb" "app" {
  #checkov:skip=CKV2_AWS_76:Log4Shell is covered by AWSManagedRulesKnownBadInputsRuleSet (waf.tf); the check also demands AWSManagedRulesAnonymousIpList, whose hosting-provider list would block Jira Cloud itself (it calls from AWS) and whose anonymous list would block users on VPNs.
  #checkov:skip=CKV_AWS_91:ALB access logs record full request URLs, and Connect iframe URLs carry the tenant JWT in the query string; the app's own access log (jwt redacted) and WAF logs (query string and Authorization redacted) are kept instead.
  name                       = "stj-${var.environment}"
  load_balancer_type         = "application"
  internal                   = false
  security_groups            = [aws_security_group.alb.id]
  subnets                    = var.public_subnet_ids
  drop_invalid_header_fields = true
  enable_deletion_protection = true
  desync_mitigation_mode     = "strictest"
  idle_timeout               = 60
}

resource "aws_lb_target_group" "app" {
  # HTTPS to the tasks too (TLS 1.2+ end to end): each task serves a certificate it made at start
  # (https.mode = self-signed). The ALB encrypts to targets without verifying their certificate,
  # so nothing is lost by not using a CA; traffic stays in the VPC, from the ALB's group only.
  name                 = "stj-${var.environment}"
  port                 = 8080
  protocol             = "HTTPS"
  target_type          = "ip"
  vpc_id               = var.vpc_id
  deregistration_delay = 35

  health_check {
    protocol            = "HTTPS"
    path                = "/healthz"
    matcher             = "200"
    interval            = 15
    healthy_threshold   = 2
    unhealthy_threshold = 3
    timeout             = 5
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.app.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}

resource "aws_lb_listener" "http_redirect" {
  # Redirect only: no request is forwarded over HTTP.
  load_balancer_arn = aws_lb.app.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"
    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}
