import type { CodeTool } from './tool.js';

/** django.contrib's apps with migrations: `migrate` applies them beside the team's, in app order (sessions after accounts). */
const CONTRIB = new Set(['admin', 'auth', 'contenttypes', 'flatpages', 'redirects', 'sessions', 'sites']);

/** Django: `django_migrations(app, name, applied)`; a migration is named `app.name`, as `manage.py migrate app name` takes it. */
export const django: CodeTool = {
  name: 'django',
  title: 'Django',
  history: 'django_migrations',
  bookkeeping: ['django_content_type', 'auth_permission'],
  nameOf: (r) => (r.name ? `${r.app ?? '?'}.${r.name}` : undefined),
  shipped: (name) => CONTRIB.has(name.split('.')[0]!),
};
