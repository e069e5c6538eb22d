"""E-mail: composing notifications and weekly summaries (plain text and HTML in the NHS.UK
style), the unsubscribe token, and sending them over SMTP (or, in development with no SMTP
server, into a folder shown at /dev/mail)."""
