ALTER TABLE "televersements" ADD COLUMN "lecture" jsonb;
-- How the table of an uploaded file was read (decision 026): the sheet read and those ignored, the header row's line,
-- the columns without a name; null for the uploads under way (their page says nothing of it, as before). Those
-- uploads, read before NIR-shaped cells were masked, are deleted 24 hours after their upload, as every upload.
