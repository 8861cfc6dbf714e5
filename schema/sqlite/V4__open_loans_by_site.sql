-- What each customer site has on loan now, for a site responsible's scoped reads (the register,
-- the people they see). Without it every such read scanned every open loan of the office: a
-- site's page cost grew with the whole office, not with the site. Landed: never edit this file.
CREATE INDEX loans_open_by_site ON loans (site_id) WHERE returned_at IS NULL;
