"""Request plumbing every blueprint shares: who may do what (access), forms, a form sent twice saved
once (once), helpers for views (views) and the app-wide hooks and error pages (hooks)."""
