CREATE TABLE "api_limites" (
	"cle" text PRIMARY KEY NOT NULL,
	"valeur" double precision NOT NULL,
	"depuis" timestamp with time zone NOT NULL
);
