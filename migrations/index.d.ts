/** Absolute path of the folder holding the drizzle-kit SQL migrations. */
export declare const migrationsFolder: string;
