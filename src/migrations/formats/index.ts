/**
 * The registry of migration tools `pgmb try` reads: one line per tool. Adding a tool is one file in
 * this folder and one line here; `MigrationFormat` follows from the lines.
 *
 * The order is detection precedence, and it decides ambiguous folders and files: folders are asked
 * in this order (graphile-migrate's committed/ before Prisma's <name>/migration.sql before Atlas's
 * atlas.sum before Supabase's supabase/migrations before a sqlx crate's folder before golang-migrate's
 * .up.sql before Drizzle's meta/_journal.json before Diesel's <version>/up.sql before Sqitch's plan
 * before goose's annotated files before a Liquibase master changelog before Flyway's V<version>__
 * names), then content markers (dbmate before node-pg-migrate before Drizzle before goose before
 * Liquibase's first-line header; graphile-migrate's `--! ` and a Liquibase header further down are only
 * hints, asked after every marker), then names. Plain SQL takes what no tool claims (a folder of
 * `V1__x.sql` files, plain before Flyway, is Flyway's now).
 *
 * Helper files here are not tools: config-files.ts (JVM tools' configuration files),
 * flyway-transactions.ts, liquibase-changelog.ts, shared.ts.
 */
import { atlas } from './atlas.js';
import { dbmate } from './dbmate.js';
import { diesel } from './diesel.js';
import { drizzle } from './drizzle.js';
import { flyway } from './flyway.js';
import type { MigrationTool } from './format.js';
import { golangMigrate } from './golang-migrate.js';
import { goose } from './goose.js';
import { graphileMigrate } from './graphile-migrate.js';
import { liquibase } from './liquibase.js';
import { nodePgMigrate } from './node-pg-migrate.js';
import { plain } from './plain.js';
import { prisma } from './prisma.js';
import { sqitch } from './sqitch.js';
import { sqlx } from './sqlx.js';
import { supabase } from './supabase.js';

// Atlas, Supabase and sqlx come before golang-migrate: atlas.sum lists the files it applies (openmeter
// keeps golang-migrate-named files under it), the Supabase CLI runs every <timestamp>_<name>.sql in
// supabase/migrations, and sqlx's reversible .up.sql files look like golang-migrate's, told apart by a
// sqlx crate above the folder (without one an .up.sql folder stays golang-migrate's). Diesel (subfolders
// holding up.sql) and Sqitch (a sqitch.plan, or a sqitch.conf naming one) overlap no earlier layout.
// goose comes last of the layouts: its folder is known by its files' annotations, so every structural
// layout is asked first. Liquibase and Flyway come after the older tools: their signs are distinctive,
// and a folder another tool recognised stays that tool's.
const REGISTRY = [graphileMigrate, prisma, atlas, supabase, sqlx, golangMigrate, dbmate, nodePgMigrate, drizzle, diesel, sqitch, goose, liquibase, flyway, plain] as const;

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
