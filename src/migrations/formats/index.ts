/**
 * The registry of migration tools `pgmb try` reads: one line per tool. Adding a tool is one file in
 * this folder and one line here; `MigrationFormat` follows from the lines.
 *
 * The order is detection precedence, and it decides ambiguous folders and files: folders are asked
 * in this order (graphile-migrate's committed/ before Prisma's <name>/migration.sql before
 * golang-migrate's .up.sql before Drizzle's meta/_journal.json before a Liquibase master changelog
 * before Flyway's V<version>__ names), then content markers (dbmate before node-pg-migrate before
 * Drizzle before Liquibase's first-line header; graphile-migrate's `--! ` and a Liquibase header
 * further down are only hints, asked after every marker), then names (golang-migrate's .up.sql,
 * Prisma's migration.sql, Flyway's V/R/B names). Liquibase and Flyway come after the older tools:
 * their signs are distinctive, and a folder another tool recognised stays that tool's. Plain SQL
 * takes what no tool claims (a folder of `V1__x.sql` files, plain before Flyway, is Flyway's now).
 *
 * Helper files here are not tools: config-files.ts (JVM tools' configuration files),
 * flyway-transactions.ts, liquibase-changelog.ts, shared.ts.
 */
import { dbmate } from './dbmate.js';
import { drizzle } from './drizzle.js';
import { flyway } from './flyway.js';
import type { MigrationTool } from './format.js';
import { golangMigrate } from './golang-migrate.js';
import { graphileMigrate } from './graphile-migrate.js';
import { liquibase } from './liquibase.js';
import { nodePgMigrate } from './node-pg-migrate.js';
import { plain } from './plain.js';
import { prisma } from './prisma.js';

const REGISTRY = [graphileMigrate, prisma, golangMigrate, dbmate, nodePgMigrate, drizzle, liquibase, flyway, plain] as const;

/** The migration tools whose files `pgmb try` reads (README: "Formats"). */
export type MigrationFormat = (typeof REGISTRY)[number]['name'];

/** Every tool, in detection precedence order. */
export const TOOLS: readonly MigrationTool<MigrationFormat>[] = REGISTRY;

/** Files no tool claims are plain SQL. */
export const FALLBACK: MigrationTool<MigrationFormat> = plain;

export const MIGRATION_FORMATS: readonly MigrationFormat[] = TOOLS.map((t) => t.name);

/**
 * The tools as help text lists them: plain SQL, then the others alphabetically (registry order is
 * precedence, which means nothing to a reader): 'plain SQL, dbmate, Drizzle, golang-migrate, ...'.
 */
export const FORMAT_TITLES: string = [FALLBACK, ...TOOLS.filter((t) => t !== FALLBACK).sort((a, b) => a.title.localeCompare(b.title, 'en', { sensitivity: 'base' }))].map((t) => t.title).join(', ');

export type { ContentClaim, MigrationTool, ReadOptions, ToolFile, ToolMigration, UpPart } from './format.js';
