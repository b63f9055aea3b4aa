DROP TABLE recipe_ingredients;
DROP TABLE recipes;
