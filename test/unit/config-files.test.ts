/** The JVM tools' configuration files as far as finding migrations reads them: Java properties, Spring's YAML, flyway.toml. Database-free. */
import test from 'ava';
import { listSetting, readProperties, readToml, readYaml, setting, settingsUnder } from '../../src/migrations/formats/config-files.js';

test('Java properties: = : or space, comments, continued lines, escapes', (t) => {
  const config = readProperties('# comment\n! also\nflyway.locations = filesystem:sql,\\\n    classpath:db/migration\nflyway.placeholders.a\\:b: x\\ty\nspring.flyway.placeholder-replacement false\n');
  t.deepEqual(listSetting(config, 'flyway.locations'), ['filesystem:sql', 'classpath:db/migration']);
  t.deepEqual([...settingsUnder(config, 'flyway.placeholders')], [['a:b', 'x\ty']]);
  t.is(setting(config, 'spring.flyway.placeholderReplacement'), 'false', 'Spring binds kebab and camel case alike');
});

test("Spring's YAML: nested maps, lists of scalars, [a, b] lists, quotes and comments; the first document only", (t) => {
  const config = readYaml(
    'spring:\n  flyway:\n    locations:\n      - classpath:db/migration/{vendor}\n      - "classpath:db/common" # shared\n    placeholders:\n      tenant: \'acme\'\n  liquibase:\n    change-log: classpath:/db/changelog/master.xml\nother: [a, "b"]\n---\nspring:\n  flyway:\n    enabled: false\n',
  );
  t.deepEqual(setting(config, 'spring.flyway.locations'), ['classpath:db/migration/{vendor}', 'classpath:db/common']);
  t.deepEqual([...settingsUnder(config, 'spring.flyway.placeholders')], [['tenant', 'acme']]);
  t.is(setting(config, 'spring.liquibase.change-log'), 'classpath:/db/changelog/master.xml');
  t.deepEqual(setting(config, 'other'), ['a', 'b']);
  t.is(setting(config, 'spring.flyway.enabled'), undefined);
});

test('flyway.toml: tables, dotted and quoted keys, arrays over several lines; arrays of tables skipped', (t) => {
  const config = readToml(
    '[environments.default]\nurl = "jdbc:postgresql://h/db"\n\n[flyway]\nlocations = [\n  "filesystem:migrations", # main\n  \'filesystem:more\',\n]\nmixed = true\n[flyway.placeholders]\n"my key" = "v"\n[[flyway.callbacks]]\nx = 1\n',
  );
  t.deepEqual(setting(config, 'flyway.locations'), ['filesystem:migrations', 'filesystem:more']);
  t.is(setting(config, 'flyway.mixed'), 'true');
  t.deepEqual([...settingsUnder(config, 'flyway.placeholders')], [['my key', 'v']]);
  t.is(setting(config, 'environments.default.url'), 'jdbc:postgresql://h/db');
  t.is(setting(config, 'flyway.callbacks.x'), undefined);
});
