// One PostgreSQL per test run (embedded unless DATABASE_URL is set) with a migrated template database;
// each test file clones the template into a fresh database of its own.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { connectDatabase, migrateDatabase, startEmbeddedPostgres } from '@bundles/server';
import '@bundles/server/testing';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const template = 'bundles_template';

export default async function setup(project: TestProject) {
  let stop = async () => {};
  let baseUrl: string;
  if (process.env.DATABASE_URL) {
    const u = new URL(process.env.DATABASE_URL);
    u.pathname = '/';
    baseUrl = u.toString();
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundles-test-pg-'));
    fs.chmodSync(dir, 0o777);
    // TCP: the test databases' URLs are built by appending a database name.
    const embedded = await startEmbeddedPostgres(dir, quiet, { database: 'postgres', tcp: true });
    stop = async () => {
      await embedded.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    };
    if (!embedded.tcpUrl) {
      await stop();
      throw new Error('the embedded PostgreSQL of the test run does not listen on TCP');
    }
    baseUrl = embedded.tcpUrl.replace(/postgres$/, '');
  }
  const admin = new pg.Client({ connectionString: baseUrl + 'postgres' });
  await admin.connect();
  const name = `${template}_${process.pid}_${project.name}`;
  await admin.query(`drop database if exists "${name}"`);
  await admin.query(`create database "${name}"`);
  const db = connectDatabase(baseUrl + name, 2);
  await migrateDatabase(db);
  await db.close();
  await admin.end();
  project.provide('pgBaseUrl', baseUrl);
  project.provide('pgTemplate', name);
  return async () => {
    const a = new pg.Client({ connectionString: baseUrl + 'postgres' });
    await a.connect();
    await a.query(`drop database if exists "${name}" with (force)`).catch(() => {});
    await a.end();
    await stop();
  };
}
