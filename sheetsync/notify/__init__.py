"""Telling people: alerts sent to 企业微信 and 钉钉 group robots and JSON webhooks."""
