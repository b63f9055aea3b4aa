DROP TABLE menu_receipts;
DROP TABLE menu_items;
DROP TABLE menus;
