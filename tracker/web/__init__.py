"""Request plumbing every blueprint shares: who may do what (access), forms (forms, and the ones two
areas show: shared), a form sent twice saved once (once), helpers for views (views), downloads
(exports), charts (charts), and the app-wide hooks and error pages (hooks)."""
