DROP TABLE forge_links;
DROP TABLE forge_installations;
