/**
 * Tiny Django projects that look like real ones (Django only, a handful of
 * files), written into a test's workspace. Production-safe settings when
 * DEBUG is off, so that `check --deploy` is clean unless a test says not.
 */
import { writeFiles } from './run-bundle.js'

/** The one requirement every fixture shares (so they share one environment). */
export const DJANGO = 'django==5.2.19'

export interface FixtureOptions {
  /** Settings refuse to import without these environment variables. */
  requiredEnv?: string[]
  /** Extra files, relative to the project directory. */
  files?: Record<string, string | Buffer>
}

export function djangoProject(dir: string, options: FixtureOptions = {}): void {
  const names = options.requiredEnv ?? []
  const imports = names.length
    ? '\nfrom django.core.exceptions import ImproperlyConfigured\n'
    : ''
  const required = names.length
    ? names
        .map(
          (name) =>
            `if not os.environ.get(${JSON.stringify(name)}):\n    raise ImproperlyConfigured("${name} is not set")\n`
        )
        .join('')
    : ''
  writeFiles(dir, {
    'manage.py': `#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
`,
    'mysite/__init__.py': '',
    'mysite/urls.py': 'urlpatterns = []\n',
    'mysite/settings.py': `import os
from pathlib import Path
${imports}
BASE_DIR = Path(__file__).resolve().parent.parent
${required}
SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-development-key")
DEBUG = os.environ.get("DEBUG", "true").lower() == "true"
ALLOWED_HOSTS = ["localhost"]
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "shop"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "mysite.urls"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / "db.sqlite3",
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
SECURE_SSL_REDIRECT = not DEBUG
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
X_FRAME_OPTIONS = "DENY"
`,
    'shop/__init__.py': '',
    'shop/prices.py': `def with_tax(price, rate):
    """The price with tax, rounded to cents."""
    if rate < 0:
        raise ValueError("negative rate")
    return round(price * (1 + rate), 2)
`,
    'shop/tests.py': `from django.test import SimpleTestCase

from shop.prices import with_tax


class WithTaxTests(SimpleTestCase):
    def test_adds_tax(self):
        self.assertEqual(with_tax(10, 0.2), 12)

    def test_refuses_negative_rates(self):
        with self.assertRaises(ValueError):
            with_tax(10, -1)
`,
    ...options.files
  })
}

/** A requirements file in UTF-16 (little-endian, with its BOM), as Windows tools write it. */
export function utf16(text: string): Buffer {
  return Buffer.concat([
    Buffer.from([0xff, 0xfe]),
    Buffer.from(text, 'utf16le')
  ])
}
