-- Tell processors when a dimension row changes, so their enrichment caches drop it at once.
CREATE OR REPLACE FUNCTION "nowcast_notify_dimension"() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('nowcast_dimensions', TG_TABLE_NAME || ':' || COALESCE(NEW.id, OLD.id));
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "customers_notify" AFTER INSERT OR UPDATE OR DELETE ON "customers"
  FOR EACH ROW EXECUTE FUNCTION "nowcast_notify_dimension"();

CREATE TRIGGER "merchants_notify" AFTER INSERT OR UPDATE OR DELETE ON "merchants"
  FOR EACH ROW EXECUTE FUNCTION "nowcast_notify_dimension"();
